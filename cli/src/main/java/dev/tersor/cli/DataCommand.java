package dev.tersor.cli;

import dev.tersor.nn.data.DataFetcher;
import dev.tersor.nn.sr.BicubicBaseline;
import dev.tersor.nn.sr.Image;
import dev.tersor.nn.sr.PhotoSet;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tersor data}: data set files. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Data set files.",
        subcommands = {DataCommand.Fetch.class, DataCommand.BicubicScores.class})
final class DataCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: one of "
                + String.join(", ", spec.subcommands().keySet()));
    }

    /** Every name {@code data fetch} knows: {@link DataFetcher#names()}, then {@link PhotoSet#names()}. */
    static List<String> names() {
        List<String> all = new ArrayList<>(DataFetcher.names());
        all.addAll(PhotoSet.names());
        return all;
    }

    /**
     * {@code tersor data fetch mnist|fashion-mnist|cifar10|sr-photos|sr-eval --dir D}: downloads the
     * files from the canonical mirror with SHA-256 verification and resumable partial downloads
     * (files already there are verified instead). Without network the error lists the files to
     * place in D by hand. The mirror can be replaced with {@code --mirror URL} or
     * {@code -Dtersor.data.baseUrl=URL}. The photo sets ({@link PhotoSet}) are Debian packages
     * whose photos become PNG files in D (the training photos downscaled into clean HR images).
     */
    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = {"Download a data set into a directory, verifying SHA-256 checksums; resumes partial downloads.",
                "Without network it says which files to place where.",
                "sr-photos: 37 photos from Debian's wallpaper packages, downscaled x2-x4 (bicubic, antialiased) into clean",
                "HR training images; sr-eval: 5 lossless evaluation photos (scikit-image, OpenCV). Both end up as PNGs in D."})
    static final class Fetch implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DATASET", description = "mnist, fashion-mnist, cifar10, sr-photos or sr-eval.")
        String dataset;

        @Option(names = "--dir", required = true, paramLabel = "D", description = "Directory the files go to (created if needed).")
        Path dir;

        @Option(names = "--mirror", paramLabel = "URL",
                description = "Fetch every file from URL/NAME instead of the canonical mirror (default: -Dtersor.data.baseUrl, else the canonical one).")
        String mirror;

        @Option(names = "--json", description = "End stdout with one line of JSON.")
        boolean json;

        @Override
        public Integer call() {
            String name = dataset.trim().toLowerCase(Locale.ROOT);
            if (!names().contains(name)) {
                throw new ParameterException(spec.commandLine(), "unknown data set '" + dataset + "'; valid names: "
                        + String.join(", ", names()));
            }
            String base = mirror != null ? mirror : System.getProperty(DataFetcher.BASE_URL_PROPERTY);
            URI baseUrl = null;
            if (base != null && !base.isBlank()) {
                try {
                    baseUrl = new URI(base.trim());
                } catch (URISyntaxException e) {
                    throw new ParameterException(spec.commandLine(), "--mirror: not a URL: " + base);
                }
                if (!"http".equals(baseUrl.getScheme()) && !"https".equals(baseUrl.getScheme())) {
                    throw new ParameterException(spec.commandLine(), "--mirror: expected an http or https URL, got " + base);
                }
            }
            PrintWriter err = spec.commandLine().getErr();
            try {
                if (PhotoSet.names().contains(name)) {
                    PhotoSet.byName(name).fetch(dir, baseUrl, WriterStream.of(err));
                } else {
                    new DataFetcher(baseUrl, WriterStream.of(err)).fetch(name, dir);
                }
            } catch (IOException e) {
                // The fetcher's message ends with the manual steps, one per line: keep them as lines.
                String message = e.getMessage() == null ? e.toString() : e.getMessage();
                err.println(spec.qualifiedName() + ": " + message.strip());
                err.flush();
                return Main.EXIT_FAILURE;
            }
            PrintWriter o = spec.commandLine().getOut();
            if (json) {
                Map<String, Object> record = new LinkedHashMap<>();
                record.put("dataset", name);
                record.put("dir", dir.toString());
                o.println(Json.write(record));
            } else {
                o.println(name + " is ready in " + dir + (PhotoSet.names().contains(name) ? "" : " (use --data " + dir + ")"));
            }
            o.flush();
            return 0;
        }
    }

    /**
     * {@code tersor data bicubic --images D --scale 2,3,4}: the bicubic baseline of a folder of HR
     * images (crop to a multiple of the scale, MATLAB-compatible bicubic down and up, Y PSNR and
     * SSIM with the scale shaved off each side, and RGB PSNR), per image and the mean.
     */
    @Command(name = "bicubic", mixinStandardHelpOptions = true,
            description = {"Score the bicubic baseline of super-resolution on a folder of HR images:",
                "MATLAB-compatible bicubic downscale and upscale, Y-channel PSNR and SSIM (as EDSR/BasicSR), RGB PSNR."})
    static final class BicubicScores implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--images", required = true, paramLabel = "D", description = "Folder of PNG/JPEG HR images.")
        Path images;

        @Option(names = "--scale", split = ",", paramLabel = "S", defaultValue = "2,3,4",
                description = "Integer scales >= 2, comma-separated (default: ${DEFAULT-VALUE}).")
        List<Integer> scales;

        @Option(names = "--json", description = "Print one JSON line per scale instead of tables.")
        boolean json;

        @Override
        public Integer call() {
            for (int s : scales) {
                if (s < 2) throw new ParameterException(spec.commandLine(), "--scale: scales must be integers >= 2, got " + s);
            }
            PrintWriter o = spec.commandLine().getOut();
            List<Path> files;
            try {
                files = Image.list(images);
                for (int s : scales) {
                    List<BicubicBaseline.Score> rows = new ArrayList<>(BicubicBaseline.evaluate(files, s));
                    rows.add(BicubicBaseline.mean(rows));
                    if (json) {
                        Map<String, Object> record = new LinkedHashMap<>();
                        record.put("scale", s);
                        for (BicubicBaseline.Score r : rows) {
                            Map<String, Object> v = new LinkedHashMap<>();
                            v.put("psnr_y", r.psnrY());
                            v.put("ssim_y", r.ssimY());
                            v.put("psnr_rgb", r.psnrRgb());
                            record.put(r.image(), v);
                        }
                        o.println(Json.write(record));
                        continue;
                    }
                    Table t = new Table(List.of("x" + s, "size", "PSNR-Y", "SSIM-Y", "PSNR-RGB"), List.of(false, true, true, true, true));
                    for (BicubicBaseline.Score r : rows) {
                        t.add(r.image(), r.width() == 0 ? "" : r.width() + "x" + r.height(), String.format(Locale.ROOT, "%.2f", r.psnrY()),
                                String.format(Locale.ROOT, "%.4f", r.ssimY()), String.format(Locale.ROOT, "%.2f", r.psnrRgb()));
                    }
                    o.print(t);
                    o.println();
                }
            } catch (IOException | IllegalArgumentException e) {
                PrintWriter err = spec.commandLine().getErr();
                err.println(spec.qualifiedName() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
                err.flush();
                return Main.EXIT_FAILURE;
            }
            o.flush();
            return 0;
        }
    }
}
