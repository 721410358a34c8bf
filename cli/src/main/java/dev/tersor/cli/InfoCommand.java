package dev.tersor.cli;

import dev.tersor.compress.io.CompressedModel;
import dev.tersor.compress.io.SizeReport;
import dev.tersor.compress.prune.PruningPlan;
import dev.tersor.nn.io.Safetensors;
import dev.tersor.nn.io.SafetensorsFile;
import dev.tersor.nn.Module;
import dev.tersor.nn.Summary;
import dev.tersor.nn.zoo.ModelInfo;
import dev.tersor.nn.zoo.Recipe;
import dev.tersor.nn.zoo.Zoo;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tersor info --model M}: the model's description, input shape, preprocessing and default
 * recipe, and its {@link Summary} (per layer: output shape, parameters, multiply-accumulates of
 * one sample). Without {@code --model}, the list of zoo models.
 */
@Command(name = "info", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Describe a zoo model: layers with output shapes, parameters and MACs; input, preprocessing, recipe.",
            "With --weights: also bits, bytes and BOPs per layer (a compressed model file needs no --model).",
            "Without --model and --weights: list the zoo."})
final class InfoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "M", description = "Zoo model (omit to list them all).")
    String model;

    @Option(names = "--arch", paramLabel = "arch.json", description = "Instead of --model: an architecture found by 'tersor search'.")
    Path arch;

    @Option(names = "--weights", paramLabel = "W",
            description = "A weights file (a compressed model file names its model): adds bits, bytes and BOPs per layer next to float32.")
    Path weights;

    @Option(names = "--json", description = "End stdout with one line of JSON.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        PrintWriter o = cl.getOut();
        if (model == null && weights == null && arch == null) {
            list(o);
            return 0;
        }
        if (weights != null) Models.existingFile(cl, "--weights", weights);
        if (arch != null && model != null) throw new ParameterException(cl, "give --model or --arch, not both");
        ModelInfo info = arch != null ? ArchModels.of(cl, arch) : Models.info(cl, model, weights);
        Module net = weights == null ? info.create() : Models.load(info, weights);
        SizeReport sizes = weights == null ? null : SizeReport.of(net, info.inputShape());
        Summary summary = Summary.of(net, info.inputShape());
        PruningPlan plan = weights == null ? PruningPlan.none() : plan(weights);
        Summary unpruned = plan.isEmpty() ? null : Summary.of(info.create(), info.inputShape());
        Recipe r = info.recipe();
        if (json) {
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("model", info.name());
            record.put("description", info.description());
            record.put("input_shape", ints(info.inputShape()));
            record.put("dataset", info.dataset());
            record.put("classifier", info.isClassifier());
            record.put("preprocessing", info.preprocessing());
            record.put("recipe", recipe(r));
            List<Object> layers = new ArrayList<>();
            for (Summary.Row row : summary.rows()) {
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("name", row.name());
                l.put("type", row.type());
                l.put("output_shape", ints(row.outputShape()));
                l.put("params", row.parameters());
                l.put("macs", row.macs());
                layers.add(l);
            }
            record.put("layers", layers);
            record.put("total_params", summary.totalParameters());
            record.put("total_macs", summary.totalMacs());
            if (sizes != null) record.put("weights", sizes(sizes, weights, info));
            if (unpruned != null) record.put("pruned", pruned(plan, unpruned, summary));
            o.println(Json.write(record));
        } else {
            o.println(info.name() + ": " + info.description());
            o.println("input:         " + Models.batched(info.inputShape()) + " (" + info.dataset() + ")");
            o.println("preprocessing: " + info.preprocessing());
            o.println("recipe:        " + r);
            o.println();
            o.println(Summary.withOps(net, info.inputShape()));   // the functional ops between the layers too
            if (unpruned != null) {
                o.println();
                o.println(prunedTable(plan, unpruned, summary));
            }
            if (sizes != null) {
                o.println();
                o.println(weights + ": " + Files.size(weights) + " bytes on disk; float32 parameters of " + info.name() + ": "
                        + sizes.floatBytes() + " bytes");
                o.println(sizes);
            }
        }
        o.flush();
        return 0;
    }

    /** The pruning plan of a compressed file (none for other files). */
    private static PruningPlan plan(Path weights) throws IOException {
        try (SafetensorsFile f = Safetensors.read(weights)) {
            return CompressedModel.isCompressed(f) ? CompressedModel.plan(f) : PruningPlan.none();
        }
    }

    private static Map<String, Object> pruned(PruningPlan plan, Summary before, Summary after) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("params_before", before.totalParameters());
        m.put("params_after", after.totalParameters());
        m.put("macs_before", before.totalMacs());
        m.put("macs_after", after.totalMacs());
        List<Object> layers = new ArrayList<>();
        for (var e : plan.keptOutputs().entrySet()) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("name", e.getKey());
            l.put("channels_before", outChannels(before, e.getKey()));
            l.put("channels_after", e.getValue().length);
            layers.add(l);
        }
        m.put("layers", layers);
        return m;
    }

    private static String prunedTable(PruningPlan plan, Summary before, Summary after) {
        Table t = new Table(List.of("pruned layer", "channels before", "after"), List.of(false, true, true));
        for (var e : plan.keptOutputs().entrySet()) t.add(e.getKey(), Integer.toString(outChannels(before, e.getKey())), Integer.toString(e.getValue().length));
        return String.format(java.util.Locale.ROOT, "structurally pruned: %,d -> %,d parameters, %,d -> %,d multiply-accumulates (%.2fx fewer)%n%s",
                before.totalParameters(), after.totalParameters(), before.totalMacs(), after.totalMacs(),
                (double) before.totalMacs() / Math.max(1, after.totalMacs()), t);
    }

    private static int outChannels(Summary s, String layer) {
        for (Summary.Row r : s.rows()) if (r.name().equals(layer)) return r.outputShape()[1];
        return -1;
    }

    private void list(PrintWriter o) {
        if (json) {
            List<Object> models = new ArrayList<>();
            for (String n : Zoo.names()) {
                ModelInfo i = Zoo.info(n);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("model", n);
                m.put("description", i.description());
                m.put("input_shape", ints(i.inputShape()));
                m.put("dataset", i.dataset());
                models.add(m);
            }
            o.println(Json.write(Map.of("models", models)));
        } else {
            int width = Zoo.names().stream().mapToInt(String::length).max().orElse(0);
            for (String n : Zoo.names()) {
                ModelInfo i = Zoo.info(n);
                o.printf("%-" + width + "s  %-10s %s%n", n, Models.shape(i.inputShape()), i.description());
            }
        }
        o.flush();
    }

    private static Map<String, Object> sizes(SizeReport sizes, Path weights, ModelInfo info) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", weights.toString());
        m.put("file_bytes", Files.size(weights));
        m.put("stored_bytes", sizes.storedBytes());
        m.put("float_bytes", sizes.floatBytes());
        m.put("bops", sizes.bops());
        List<Object> layers = new ArrayList<>();
        for (SizeReport.Row r : sizes.rows()) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("name", r.path());
            l.put("type", r.type());
            l.put("wbits", r.wbits());
            l.put("abits", r.abits());
            l.put("bytes", r.storedBytes());
            l.put("float_bytes", r.floatBytes());
            l.put("bops", r.bops());
            layers.add(l);
        }
        m.put("layers", layers);
        return m;
    }

    static Map<String, Object> recipe(Recipe r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("optimizer", r.optimizer());
        m.put("lr", r.lr());
        m.put("momentum", r.momentum());
        m.put("weight_decay", r.weightDecay());
        m.put("schedule", r.schedule());
        m.put("epochs", r.epochs());
        m.put("batch", r.batch());
        return m;
    }

    static List<Integer> ints(int[] a) {
        List<Integer> l = new ArrayList<>();
        for (int v : a) l.add(v);
        return l;
    }
}
