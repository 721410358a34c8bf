package dev.tersor.cli;

import dev.tersor.nn.Module;
import dev.tersor.nn.Summary;
import dev.tersor.nn.zoo.ModelInfo;
import dev.tersor.nn.zoo.Recipe;
import dev.tersor.nn.zoo.Zoo;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tersor info --model M}: the model's description, input shape, preprocessing and default
 * recipe, and its {@link Summary} (per layer: output shape, parameters, multiply-accumulates of
 * one sample). Without {@code --model}, the list of zoo models.
 */
@Command(name = "info", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Describe a zoo model: layers with output shapes, parameters and MACs; input, preprocessing, recipe.",
            "Without --model: list the zoo."})
final class InfoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "M", description = "Zoo model (omit to list them all).")
    String model;

    @Option(names = "--json", description = "End stdout with one line of JSON.")
    boolean json;

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        PrintWriter o = cl.getOut();
        if (model == null) {
            list(o);
            return 0;
        }
        ModelInfo info = Models.info(cl, model);
        Module net = info.create();
        Summary summary = Summary.of(net, info.inputShape());
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
            o.println(Json.write(record));
        } else {
            o.println(info.name() + ": " + info.description());
            o.println("input:         " + Models.batched(info.inputShape()) + " (" + info.dataset() + ")");
            o.println("preprocessing: " + info.preprocessing());
            o.println("recipe:        " + r);
            o.println();
            o.println(summary);
        }
        o.flush();
        return 0;
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
