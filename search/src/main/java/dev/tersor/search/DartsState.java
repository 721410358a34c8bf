package dev.tersor.search;

import dev.tersor.nn.Rng;
import dev.tersor.nn.io.Safetensors;
import dev.tersor.nn.io.SafetensorsFile;
import dev.tersor.nn.optim.Adam;
import dev.tersor.nn.optim.CosineLr;
import dev.tersor.nn.optim.OptimizerState;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The run directory of a {@link Darts} search: {@code darts.ckpt} (supernet with α and β, both
 * optimizers, the schedule, the default random stream, the counters) written atomically after
 * every epoch, and {@code epochs.jsonl}, one JSON line per finished epoch. A checkpoint of
 * another seed, space or options is refused, naming what differs.
 */
final class DartsState {
    /** Epochs finished, steps and passes so far, seconds spent so far. */
    record Counters(int epoch, int weightSteps, int archSteps, long passes, double seconds) {
        Counters plus(int weight, int arch, long p) {
            return new Counters(epoch, weightSteps + weight, archSteps + arch, passes + p, seconds);
        }
    }

    private static final String MODEL = "model.", WEIGHTS = "weights_optimizer.", ARCH = "arch_optimizer.", SCHEDULE = "schedule.";
    private final Path dir, checkpoint, log;
    private final Map<String, String> identity = new LinkedHashMap<>();
    private final CellSpace space;

    DartsState(Path dir, long seed, DartsOptions options, CellSpace space) {
        this.dir = dir;
        this.checkpoint = dir.resolve("darts.ckpt");
        this.log = dir.resolve("epochs.jsonl");
        this.space = space;
        identity.put("space", space.name());
        identity.put("seed", Long.toString(seed));
        identity.put("options", options.toString());
    }

    /** Loads the checkpoint into the pieces when there is one; the counters to continue from. */
    Counters resume(MixedCellSupernet net, Sgd sgd, Adam adam, CosineLr schedule) throws IOException {
        if (!Files.exists(checkpoint)) {
            Files.deleteIfExists(log);
            return new Counters(0, 0, 0, 0, 0);
        }
        try (SafetensorsFile f = Safetensors.read(checkpoint)) {
            Map<String, String> meta = f.metadata();
            for (var e : identity.entrySet()) {
                if (!e.getValue().equals(meta.get(e.getKey()))) {
                    throw new IllegalStateException(dir + " holds a search with " + e.getKey() + " " + meta.get(e.getKey()) + ", not " + e.getValue()
                            + ": use another directory, or delete it to start over");
                }
            }
            Map<String, Tensor> all = new LinkedHashMap<>(), model = new LinkedHashMap<>();
            for (String name : f.names()) {
                Tensor t = f.tensor(name);
                all.put(name, t);
                if (name.startsWith(MODEL)) model.put(name.substring(MODEL.length()), t);
            }
            net.loadStateDict(model, true);
            sgd.loadStateDict(OptimizerState.extract(WEIGHTS, all, meta));
            adam.loadStateDict(OptimizerState.extract(ARCH, all, meta));
            Map<String, String> s = new LinkedHashMap<>();
            meta.forEach((k, v) -> {
                if (k.startsWith(SCHEDULE)) s.put(k.substring(SCHEDULE.length()), v);
            });
            schedule.loadStateDict(s);
            String[] rng = meta.get("rng").split(",");
            Rng.restore(Generator.restore(new long[] {Long.parseLong(rng[0]), Long.parseLong(rng[1])}));
            Counters c = new Counters(Integer.parseInt(meta.get("epoch")), Integer.parseInt(meta.get("weight_steps")), Integer.parseInt(meta.get("arch_steps")),
                    Long.parseLong(meta.get("passes")), Double.parseDouble(meta.get("seconds")));
            keepLogLines(c.epoch());
            return c;
        } catch (RuntimeException e) {
            if (e instanceof IllegalStateException) throw e;
            throw new IOException("cannot resume from " + checkpoint + ": " + e.getMessage(), e);
        }
    }

    /** Writes the checkpoint (temporary file, then rename). */
    void save(MixedCellSupernet net, Sgd sgd, Adam adam, CosineLr schedule, Counters c) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>(identity);
        net.stateDict().forEach((k, v) -> tensors.put(MODEL + k, v));
        for (OptimizerState s : List.of(sgd.stateDict().withPrefix(WEIGHTS), adam.stateDict().withPrefix(ARCH))) {
            tensors.putAll(s.tensors());
            meta.putAll(s.metadata());
        }
        schedule.stateDict().forEach((k, v) -> meta.put(SCHEDULE + k, v));
        long[] rng = Rng.global().state();
        meta.put("rng", rng[0] + "," + rng[1]);
        meta.put("epoch", Integer.toString(c.epoch()));
        meta.put("weight_steps", Integer.toString(c.weightSteps()));
        meta.put("arch_steps", Integer.toString(c.archSteps()));
        meta.put("passes", Long.toString(c.passes()));
        meta.put("seconds", Double.toString(c.seconds()));
        Path tmp = dir.resolve(".darts.ckpt.tmp");
        Safetensors.write(tmp, tensors, meta);
        Files.move(tmp, checkpoint, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Appends the line of a finished epoch. */
    void log(int epoch, double trainLoss, double trainAccuracy, double valAccuracy, MixedCellSupernet net, Architecture derived, Counters c) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "{\"epoch\": %d, \"train_loss\": %s, \"train_accuracy\": %s, \"val_accuracy\": %s, \"seconds\": %s, \"weight_steps\": %d, "
                        + "\"arch_steps\": %d, \"passes\": %d, \"arch\": %s, \"op_names\": [", epoch + 1, Json.number(trainLoss), Json.number(trainAccuracy),
                Json.number(valAccuracy), Json.number(c.seconds()), c.weightSteps(), c.archSteps(), c.passes(), Json.quote(derived.key())));
        List<String> names = space.opNames(derived);
        for (int i = 0; i < names.size(); i++) sb.append(i == 0 ? "" : ", ").append(Json.quote(names.get(i)));
        sb.append("], \"op_weights\": ").append(matrix(net.opWeights().detach())).append(", \"edge_weights\": ").append(matrix(net.edgeWeights().detach().reshape(1, -1)).replaceAll("^\\[|\\]$", ""));
        sb.append("}\n");
        Files.writeString(log, sb.toString(), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static String matrix(Tensor t) {
        float[] v = t.contiguous().toArray();
        int rows = t.size(0), cols = t.size(1);
        StringBuilder sb = new StringBuilder("[");
        for (int r = 0; r < rows; r++) {
            sb.append(r == 0 ? "[" : ", [");
            for (int k = 0; k < cols; k++) sb.append(k == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.5f", v[r * cols + k]));
            sb.append(']');
        }
        return sb.append(']').toString();
    }

    private void keepLogLines(int epochs) throws IOException {
        if (!Files.exists(log)) return;
        List<String> lines = new ArrayList<>(Files.readAllLines(log, StandardCharsets.UTF_8));
        if (lines.size() > epochs) AtomicFiles.write(log, lines.subList(0, epochs).stream().map(l -> l + "\n").reduce("", String::concat));
    }
}
