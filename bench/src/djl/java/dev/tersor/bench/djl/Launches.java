package dev.tersor.bench.djl;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Time to first inference of a fresh JVM, and what each side ships. A launch runs
 * {@code java [options] -cp CP dev.tersor.bench.djl.FirstInference NAME} and times from
 * {@link ProcessBuilder#start()} to the {@code first-inference:} line on its stdout. The class
 * path is split from this JVM's: Tersor's child gets the bench classes and Tersor's jars only,
 * DJL's the bench classes, DJL's jars (api, engine, JNI and their dependencies) and the native jar.
 */
final class Launches {

    /** DJL's jars and their dependencies (JMH's and JUnit's on the bench class path are neither side's). */
    private static final List<String> DJL_JARS = List.of("api-", "pytorch-engine", "pytorch-jni", "gson-", "error_prone_annotations",
            "jna-", "commons-compress", "commons-codec", "commons-io", "slf4j-api");

    private final List<String> tersorCp = new ArrayList<>();
    private final List<String> djlCp = new ArrayList<>();
    private final List<Path> tersorJars = new ArrayList<>(), djlJars = new ArrayList<>(), nativeJars = new ArrayList<>();

    Launches(String classPath) {
        for (String e : classPath.split(File.pathSeparator)) {
            if (e.isBlank()) continue;
            Path p = Path.of(e);
            String name = p.getFileName().toString();
            boolean classes = name.equals("classes") || name.equals("test-classes");
            if (classes && e.replace('\\', '/').contains("/bench/target/")) {
                tersorCp.add(e);
                djlCp.add(e);
            } else if (name.startsWith("tersor-") || classes) {
                tersorCp.add(e);
                tersorJars.add(p);
            } else if (name.startsWith("pytorch-native")) {
                djlCp.add(e);
                nativeJars.add(p);
            } else if (DJL_JARS.stream().anyMatch(name::startsWith)) {
                djlCp.add(e);
                djlJars.add(p);
            }
        }
    }

    /** Milliseconds from start to the first-inference line of one fresh {@code name} JVM ({@code tersor} or {@code djl}). */
    double launch(String name) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (name.equals("tersor")) {
            cmd.add("--add-modules");
            cmd.add("jdk.incubator.vector");
        } else {
            cmd.add("-Dai.djl.offline=true");
        }
        cmd.add("-cp");
        cmd.add(String.join(File.pathSeparator, name.equals("tersor") ? tersorCp : djlCp));
        cmd.add(FirstInference.class.getName());
        cmd.add(name);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        long t0 = System.nanoTime();
        Process p = pb.start();
        double ms = Double.NaN;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("first-inference:")) {
                    ms = (System.nanoTime() - t0) * 1e-6;
                    break;
                }
            }
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) p.destroyForcibly();
        if (Double.isNaN(ms) || p.exitValue() != 0) {
            throw new IOException(name + " launch printed no first-inference line (exit " + p.exitValue() + "): " + String.join(" ", cmd));
        }
        return ms;
    }

    long tersorJarBytes() {
        return bytes(tersorJars);
    }

    long djlJarBytes() {
        return bytes(djlJars);
    }

    long nativeJarBytes() {
        return bytes(nativeJars);
    }

    /** DJL's jar names, for the report. */
    List<String> djlJarNames() {
        return Stream.concat(djlJars.stream(), nativeJars.stream()).map(p -> p.getFileName().toString()).toList();
    }

    List<String> tersorJarNames() {
        return tersorJars.stream().map(p -> p.getParent() == null ? p.toString() : p.getParent().getFileName() + "/" + p.getFileName()).toList();
    }

    /** Bytes of the files (a directory: every file under it). */
    static long bytes(List<Path> paths) {
        long total = 0;
        for (Path p : paths) total += bytes(p);
        return total;
    }

    static long bytes(Path p) {
        if (!Files.exists(p)) return 0;
        try (Stream<Path> walk = Files.walk(p)) {
            return walk.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            return 0;
        }
    }
}
