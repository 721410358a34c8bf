package dev.tersor.cli;

import dev.tersor.nn.Module;
import dev.tersor.nn.data.ImageFolder;
import dev.tersor.nn.data.TensorDataset;
import dev.tersor.nn.zoo.ModelInfo;
import dev.tersor.tensor.Tensor;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code predict --images DIR --csv F}: every PNG/JPEG directly in DIR (sorted by name),
 * preprocessed as the model's training data, classified in batches; one CSV row per image with
 * its top-k classes and probabilities ({@code file,top1,p1,...}).
 */
final class PredictFolder {
    private static final int BATCH = 256;

    private PredictFolder() {
    }

    /** The image files directly in {@code dir}, sorted by name; none is an error. */
    static List<Path> images(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> Files.isRegularFile(p) && PredictCommand.isImageName(p) && !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        }
        if (files.isEmpty()) throw new IllegalArgumentException(dir + " holds no .png, .jpg or .jpeg image");
        return files;
    }

    /** Classifies {@code files} with {@code net} and writes the CSV to {@code csv} (atomically); returns the top-1 class of each. */
    static List<String> run(ModelInfo info, Module net, List<Path> files, List<String> classes, int top, Path csv) throws IOException {
        Tensor x = read(files, info.inputShape());
        x = DataSplits.normalize(info).apply(x, null);
        int n = files.size();
        float[] p = null;
        int width = 0;
        try (var g = Tensor.noGrad()) {
            for (int from = 0; from < n; from += BATCH) {
                int to = Math.min(n, from + BATCH);
                float[] part = net.call(x.narrow(0, from, to - from)).softmax(1).toArray();
                if (p == null) {
                    width = part.length / (to - from);
                    p = new float[n * width];
                }
                System.arraycopy(part, 0, p, from * width, part.length);
            }
        }
        int k = Math.min(top, width);
        StringBuilder sb = new StringBuilder("file");
        for (int r = 1; r <= k; r++) sb.append(",top").append(r).append(",p").append(r);
        sb.append('\n');
        List<String> first = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] order = PredictCommand.topK(p, i * width, width, k);
            sb.append(csvCell(files.get(i).getFileName().toString()));
            for (int c : order) sb.append(',').append(csvCell(PredictCommand.name(classes, c))).append(',')
                    .append(String.format(Locale.ROOT, "%.6f", p[i * width + c]));
            sb.append('\n');
            first.add(PredictCommand.name(classes, order[0]));
        }
        Path abs = csv.toAbsolutePath();
        Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp");
        try {
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write(sb.toString());
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return first;
    }

    /** RFC 4180: quoted when it holds a comma, quote or line break. */
    static String csvCell(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** All {@code files} as {@code [N, C, H, W]}, read in one pass through {@link ImageFolder} (a temporary folder of copies, in order). */
    private static Tensor read(List<Path> files, int[] shape) throws IOException {
        Path root = Files.createTempDirectory("tersor-predict");
        Path folder = root.resolve("images");
        try {
            Files.createDirectory(folder);
            for (int i = 0; i < files.size(); i++) {
                String name = files.get(i).getFileName().toString();
                String ext = name.substring(name.lastIndexOf('.')).toLowerCase(Locale.ROOT);
                Files.copy(files.get(i), folder.resolve(String.format(Locale.ROOT, "%09d%s", i, ext)));
            }
            ImageFolder.Channels channels = shape[0] == 1 ? ImageFolder.Channels.GRAYSCALE : ImageFolder.Channels.RGB;
            TensorDataset ds;
            try {
                ds = ImageFolder.load(root, ImageFolder.Options.resized(channels, shape[1], shape[2], ImageFolder.Resize.BILINEAR));
            } catch (IOException e) {
                String m = e.getMessage() == null ? "cannot read an image" : e.getMessage();
                java.util.regex.Matcher at = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(folder.toString() + java.io.File.separator) + "(\\d{9})\\.\\w+").matcher(m);
                throw new IOException(at.find() ? m.replace(at.group(), files.get(Integer.parseInt(at.group(1))).toString()) : m, e);
            }
            return ds.inputs().reshape(files.size(), shape[0], shape[1], shape[2]);
        } finally {
            try (Stream<Path> s = Files.walk(root)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }
}
