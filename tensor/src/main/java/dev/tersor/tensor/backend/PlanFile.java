package dev.tersor.tensor.backend;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The plan cache file: a header naming the format and the machine it was measured on, then one
 * plan per line.
 *
 * <pre>
 * tersor-plans 1
 * key cpu=AMD EPYC;arch=amd64;bits=256;threads=2;jvm=25.0.1+8
 * gemm	NN 128x128x128 t2	BLOCKED mc=72 kc=512 nc=4096 mr=6 tasks=2 split=rows
 * conv	forward 64x32x32→64 k3x3 s1x1 p1x1 d1x1 g1 n128 t2	SHIFTED_WINDOWS per=4 split=batch
 * </pre>
 *
 * A file for another machine key (other CPU, vector width, thread count or JVM), a malformed one
 * or one over {@link #MAX_BYTES} is ignored with one warning on stderr; reading never allocates
 * more than that cap. Writing goes to a temporary file in the same folder, then a rename, so a
 * reader never sees half a file.
 */
final class PlanFile {
    static final String MAGIC = "tersor-plans 1";
    /** Largest file read: far above any real model's shapes (a line is about 100 bytes). */
    static final long MAX_BYTES = 1 << 20;

    private PlanFile() {
    }

    /** The entries ({@code op\tshape} → plan text) of {@code file} when it is valid for {@code key}; empty otherwise. */
    static Map<String, String> read(Path file, String key) {
        Map<String, String> entries = new LinkedHashMap<>();
        String text;
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                warn(file, "is " + size + " bytes, over the " + MAX_BYTES + "-byte limit");
                return entries;
            }
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return entries;
        } catch (IOException e) {
            warn(file, "cannot be read (" + e.getMessage() + ")");
            return entries;
        }
        String[] lines = text.split("\n", -1);
        if (lines.length < 2 || !lines[0].equals(MAGIC) || !lines[1].startsWith("key ")) {
            warn(file, "is not a plan cache (expected '" + MAGIC + "' and a key line)");
            return entries;
        }
        if (!lines[1].substring(4).equals(key)) {
            warn(file, "was measured for another machine or JVM (" + lines[1].substring(4) + "; this one is " + key + ")");
            return entries;
        }
        for (int i = 2; i < lines.length; i++) {
            if (lines[i].isEmpty()) continue;
            String[] f = lines[i].split("\t", -1);
            if (f.length != 3 || f[0].isEmpty() || f[1].isEmpty() || f[2].isEmpty()) {
                warn(file, "is corrupt at line " + (i + 1) + " (expected op, shape and plan separated by tabs)");
                entries.clear();
                return entries;
            }
            entries.put(f[0] + "\t" + f[1], f[2]);
        }
        return entries;
    }

    /** Writes {@code entries} under {@code key} to {@code file} atomically (temporary file + rename). */
    static void write(Path file, String key, Map<String, String> entries) throws IOException {
        StringBuilder sb = new StringBuilder(MAGIC).append('\n').append("key ").append(key).append('\n');
        for (Map.Entry<String, String> e : entries.entrySet()) sb.append(e.getKey()).append('\t').append(e.getValue()).append('\n');
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            Files.write(tmp, sb.toString().getBytes(StandardCharsets.UTF_8));
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void warn(Path file, String what) {
        Warnings.once("plans:" + file.toAbsolutePath() + ":" + what,
                "tersor: ignoring the plan cache " + file + ": it " + what + "; using built-in plans");
    }
}
