package dev.tersor.cli;

import dev.tersor.nn.Module;
import dev.tersor.nn.data.ImageFolder;
import dev.tersor.nn.data.TensorDataset;
import dev.tersor.nn.io.Safetensors;
import dev.tersor.nn.io.SafetensorsFile;
import dev.tersor.nn.zoo.ModelInfo;
import dev.tersor.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tersor predict}: runs a model in eval mode.
 * <ul>
 *   <li>{@code --input X.safetensors --output Y.safetensors}: the raw forward of the tensor named
 *       {@code input} in X (or of X's only tensor), with no preprocessing, written to Y as the
 *       F32 tensor {@code output}. Input {@code [N, ...]} gives {@code [N, ...]}; one unbatched
 *       sample gives one unbatched output.</li>
 *   <li>{@code --image FILE}: a PNG or JPEG, prepared as the model's training data is (grayscale
 *       28×28 for MNIST models, RGB 32×32 for CIFAR ones, resized when needed, scaled to [0, 1],
 *       normalised), and the top classes with their probabilities.</li>
 *   <li>{@code --images DIR --csv F}: every image directly in DIR, the same way, in batches; a CSV
 *       row per image with its top classes ({@link PredictFolder}).</li>
 * </ul>
 */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a model in eval mode on a safetensors tensor (raw, no preprocessing) or on an image (preprocessed; top classes)."})
final class PredictCommand implements Callable<Integer> {
    static final String INPUT = "input";
    static final String OUTPUT = "output";

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "M", description = "Zoo model (may be left out for a compressed model file, which names its model).")
    String model;

    @Option(names = "--weights", required = true, paramLabel = "W", description = "Weights (safetensors state dict or training checkpoint).")
    Path weights;

    @Option(names = "--input", paramLabel = "X.safetensors", description = "Input tensor: the one named 'input', or the file's only tensor.")
    Path input;

    @Option(names = "--output", paramLabel = "Y.safetensors", description = "Where the F32 tensor 'output' goes (with --input).")
    Path output;

    @Option(names = "--image", paramLabel = "PNG|JPEG", description = "An image to classify, preprocessed as the model's data.")
    Path image;

    @Option(names = "--images", paramLabel = "DIR", description = "A folder of images to classify (each preprocessed as with --image); needs --csv.")
    Path images;

    @Option(names = "--csv", paramLabel = "F.csv", description = "With --images: where the per-image top classes go (file,top1,p1,...).")
    Path csv;

    @Option(names = "--top", paramLabel = "K", defaultValue = "5", description = "Classes to show with --image or write with --images (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--dataset", paramLabel = "mnist|fashion-mnist|cifar10",
            description = "Whose class names to print with --image (default: the model's data set).")
    String dataset;

    @Option(names = "--threads", paramLabel = "T", description = "Threads for the kernels.")
    Integer threads;

    @Option(names = "--json", description = "End stdout with one line of JSON.")
    boolean json;

    @SuppressWarnings("try")
    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        ModelInfo info = Models.info(cl, model, weights);
        if ((input != null ? 1 : 0) + (image != null ? 1 : 0) + (images != null ? 1 : 0) != 1) {
            throw new ParameterException(cl, "give one of --input X.safetensors with --output Y.safetensors, --image FILE, or --images DIR with --csv F");
        }
        if ((csv != null) != (images != null)) throw new ParameterException(cl, "--images DIR and --csv F go together");
        Models.existingFile(cl, "--weights", weights);
        try (Threads t = Threads.use(cl, threads)) {
            if (input != null) {
                if (output == null) throw new ParameterException(cl, "--input needs --output Y.safetensors");
                Models.existingFile(cl, "--input", input);
                Models.outputFile(cl, "--output", output);
                tensor(cl, info);
            } else if (images != null) {
                if (top < 1) throw new ParameterException(cl, "--top must be >= 1, got " + top);
                if (!java.nio.file.Files.isDirectory(images)) throw new ParameterException(cl, "--images: not a directory: " + images);
                Models.outputFile(cl, "--csv", csv);
                folder(cl, info);
            } else {
                if (output != null) throw new ParameterException(cl, "--output goes with --input; --image prints the top classes");
                if (top < 1) throw new ParameterException(cl, "--top must be >= 1, got " + top);
                Models.existingFile(cl, "--image", image);
                if (!isImageName(image)) throw new ParameterException(cl, "--image: expected a .png, .jpg or .jpeg file, got " + image);
                image(cl, info);
            }
        }
        return 0;
    }

    private void tensor(CommandLine cl, ModelInfo info) throws IOException {
        Tensor x;
        try (SafetensorsFile f = Safetensors.read(input)) {
            List<String> names = f.names();
            String name = names.contains(INPUT) ? INPUT : names.size() == 1 ? names.get(0) : null;
            if (name == null) {
                throw new IllegalArgumentException(input + " holds " + names.size() + " tensors " + names
                        + "; name the one to use '" + INPUT + "' (or keep only one)");
            }
            x = f.tensor(name);
        }
        Module net = Models.load(info, weights);
        int[] sample = info.inputShape();
        int[] s = x.shape();
        boolean unbatched = s.length == sample.length;
        if (!fits(info, unbatched ? prepend(s) : s)) {
            throw new IllegalArgumentException(input + ": the input is " + Arrays.toString(s) + " but " + info.name() + " takes "
                    + Models.batched(sample) + (info.isClassifier() ? "" : " (any height and width)") + " or one sample "
                    + Arrays.toString(sample));
        }
        Tensor y;
        try (var g = Tensor.noGrad()) {
            y = net.call(unbatched ? x.reshape(prepend(s)) : x);
        }
        if (unbatched) y = y.reshape(Arrays.copyOfRange(y.shape(), 1, y.shape().length));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("tersor.model", info.name());
        meta.put("tersor.weights", weights.getFileName().toString());
        Safetensors.write(output, Map.of(OUTPUT, y), meta);
        PrintWriter o = cl.getOut();
        if (json) {
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("model", info.name());
            record.put("input", input.toString());
            record.put("input_shape", toList(s));
            record.put("output", output.toString());
            record.put("output_shape", toList(y.shape()));
            o.println(Json.write(record));
        } else {
            o.println("wrote '" + OUTPUT + "' " + Arrays.toString(y.shape()) + " (F32) to " + output);
        }
        o.flush();
    }

    /** Whether a batch of shape {@code s} fits the model: same rank and channels; same size for classifiers. */
    private static boolean fits(ModelInfo info, int[] s) {
        int[] sample = info.inputShape();
        if (s.length != sample.length + 1 || s[0] < 1) return false;
        if (!info.isClassifier()) return s[1] == sample[0];
        return Arrays.equals(Arrays.copyOfRange(s, 1, s.length), sample);
    }

    private static int[] prepend(int[] s) {
        int[] r = new int[s.length + 1];
        r[0] = 1;
        System.arraycopy(s, 0, r, 1, s.length);
        return r;
    }

    private static List<Integer> toList(int[] s) {
        List<Integer> l = new ArrayList<>();
        for (int v : s) l.add(v);
        return l;
    }

    private void image(CommandLine cl, ModelInfo info) throws IOException {
        if (!info.isClassifier()) {
            throw new ParameterException(cl, "--image classifies, but " + info.name() + " is not a classifier; use --input/--output");
        }
        String ds = DataSplits.dataset(cl, info, dataset);
        List<String> classes = Models.classNames(ds);
        int[] shape = info.inputShape();
        Tensor x = readImage(image, shape);
        x = DataSplits.normalize(info).apply(x, null);
        Module net = Models.load(info, weights);
        float[] p;
        try (var g = Tensor.noGrad()) {
            p = net.call(x).softmax(1).toArray();
        }
        int k = Math.min(top, p.length);
        int[] order = topK(p, 0, p.length, k);
        PrintWriter o = cl.getOut();
        if (json) {
            List<Object> rows = new ArrayList<>();
            for (int r = 0; r < k; r++) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("index", order[r]);
                row.put("class", name(classes, order[r]));
                row.put("probability", (double) p[order[r]]);
                rows.add(row);
            }
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("model", info.name());
            record.put("image", image.toString());
            record.put("predicted", name(classes, order[0]));
            record.put("top", rows);
            o.println(Json.write(record));
        } else {
            o.printf(Locale.ROOT, "%s on %s (%s %s, normalised):%n", info.name(), image,
                    shape[0] == 1 ? "grayscale" : "RGB", shape[1] + "×" + shape[2]);
            int width = 5;
            for (int r = 0; r < k; r++) width = Math.max(width, name(classes, order[r]).length());
            for (int r = 0; r < k; r++) {
                o.printf(Locale.ROOT, "  %d. %-" + width + "s %7.2f%%%n", r + 1, name(classes, order[r]), 100 * p[order[r]]);
            }
        }
        o.flush();
    }

    /** The indices of the {@code k} largest of {@code p[offset .. offset + n)}, largest first (ties: lower index first). */
    static int[] topK(float[] p, int offset, int n, int k) {
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -p[offset + i]).thenComparingInt(i -> i));
        int[] out = new int[k];
        for (int r = 0; r < k; r++) out[r] = order[r];
        return out;
    }

    private void folder(CommandLine cl, ModelInfo info) throws IOException {
        if (!info.isClassifier()) throw new ParameterException(cl, "--images classifies, but " + info.name() + " is not a classifier");
        List<String> classes = Models.classNames(DataSplits.dataset(cl, info, dataset));
        List<Path> files;
        try {
            files = PredictFolder.images(images);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, "--images: " + e.getMessage());
        }
        Module net = Models.load(info, weights);
        List<String> first = PredictFolder.run(info, net, files, classes, top, csv);
        PrintWriter o = cl.getOut();
        if (json) {
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("model", info.name());
            record.put("images", images.toString());
            record.put("count", files.size());
            record.put("csv", csv.toString());
            record.put("predicted", first);
            o.println(Json.write(record));
        } else {
            o.printf(Locale.ROOT, "%s on %d images of %s: top %d classes of each in %s%n", info.name(), files.size(), images, top, csv);
        }
        o.flush();
    }

    static String name(List<String> classes, int index) {
        return index < classes.size() ? classes.get(index) : Integer.toString(index);
    }

    static boolean isImageName(Path file) {
        String lower = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return lower.endsWith(".png") || lower.endsWith(".jpg") || lower.endsWith(".jpeg");
    }

    /**
     * The image as {@code [1, C, H, W]} in [0, 1], grayscale or RGB as {@code shape = [C, H, W]}
     * says, resized (bilinear) when its size differs, through {@link ImageFolder}'s reader (the
     * same decoding and colour conversion as image-folder data sets).
     */
    static Tensor readImage(Path file, int[] shape) throws IOException {
        if (!isImageName(file)) throw new IllegalArgumentException("expected a .png, .jpg or .jpeg file, got " + file);
        String lower = file.getFileName().toString().toLowerCase(Locale.ROOT);
        Path root = Files.createTempDirectory("tersor-predict");
        Path folder = root.resolve("image");
        try {
            Files.createDirectory(folder);
            Files.copy(file, folder.resolve("image" + lower.substring(lower.lastIndexOf('.'))));
            ImageFolder.Channels channels = shape[0] == 1 ? ImageFolder.Channels.GRAYSCALE : ImageFolder.Channels.RGB;
            TensorDataset ds;
            try {
                ds = ImageFolder.load(root, ImageFolder.Options.resized(channels, shape[1], shape[2], ImageFolder.Resize.BILINEAR));
            } catch (IOException e) {
                throw new IOException(file + ": " + (e.getMessage() == null ? "cannot read the image"
                        : e.getMessage().replace(folder.toString() + java.io.File.separator, "").replaceFirst("^image\\.\\w+: ", "")), e);
            }
            return ds.inputs().reshape(1, shape[0], shape[1], shape[2]);
        } finally {
            try (Stream<Path> s = Files.walk(root)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }
}
