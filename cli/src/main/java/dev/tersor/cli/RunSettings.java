package dev.tersor.cli;

import dev.tersor.nn.train.Checkpoint;
import dev.tersor.nn.zoo.Recipe;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The settings of a {@code train} run as checkpoint metadata ({@code run.*}), so that
 * {@code --resume} continues with them: flags left out take the checkpoint's values, flags given
 * must agree with them (except {@code --epochs}, which may extend or shorten the run). The
 * {@code compress} commands check the validation settings ({@code --val-split}, {@code --keep})
 * the same way ({@link #requireSameLater}).
 */
final class RunSettings {
    /** Setting keys and the flags that set them, in the order conflicts are reported. */
    private static final Map<String, String> FLAGS = flags();

    /**
     * Settings that older checkpoints do not record: the flag and the value such a run had (null:
     * unknown, not checked).
     */
    private static final Map<String, String[]> LATER = Map.of("val_split", new String[] {"--val-split", "0.0"},
            "keep", new String[] {"--keep", "last"}, "data", new String[] {"--data", null},
            "split_seed", new String[] {"--split-seed", null}, "augment", new String[] {"--augment", null});
    /** The recorded {@code data} of a run on the bundled sample. */
    static final String BUNDLED = "bundled";

    private final Map<String, String> values;

    private RunSettings(Map<String, String> values) {
        this.values = values;
    }

    private static Map<String, String> flags() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("dataset", "--dataset");
        f.put("optimizer", "--optimizer");
        f.put("lr", "--lr");
        f.put("momentum", "--momentum");
        f.put("weight_decay", "--weight-decay");
        f.put("schedule", "--schedule");
        f.put("epochs", "--epochs");
        f.put("batch", "--batch");
        f.put("seed", "--seed");
        f.put("limit", "--limit");
        return f;
    }

    /** The metadata of a run of {@code model}. */
    static Map<String, String> record(String model, String dataset, Recipe r, long seed, int limit) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("dataset", dataset);
        m.put("optimizer", r.optimizer());
        m.put("lr", Double.toString(r.lr()));
        m.put("momentum", Double.toString(r.momentum()));
        m.put("weight_decay", Double.toString(r.weightDecay()));
        m.put("schedule", r.schedule());
        m.put("epochs", Integer.toString(r.epochs()));
        m.put("batch", Integer.toString(r.batch()));
        m.put("seed", Long.toString(seed));
        m.put("limit", Integer.toString(limit));
        return m;
    }

    /**
     * The settings {@code ckpt} recorded, or null (with a warning) for a checkpoint that recorded
     * none. A checkpoint of another model is a usage error.
     */
    static RunSettings read(CommandLine cl, Path ckpt, String model, PrintWriter err) {
        Map<String, String> v = Checkpoint.runInfo(ckpt);
        if (!v.containsKey("model") || !v.keySet().containsAll(FLAGS.keySet())) {
            err.println("warning: " + ckpt + " does not record the settings of the run that wrote it; "
                    + "continuing with the flags as given (they must be that run's)");
            return null;
        }
        if (!model.equals(v.get("model"))) {
            throw new ParameterException(cl, "--resume " + ckpt + " was written by a run of " + v.get("model")
                    + ", not --model " + model);
        }
        return new RunSettings(v);
    }

    String dataset() {
        return values.get("dataset");
    }

    long seed() {
        return Long.parseLong(values.get("seed"));
    }

    int limit() {
        return Integer.parseInt(values.get("limit"));
    }

    /** The recorded validation fraction (0: none). */
    double valSplit() {
        return Double.parseDouble(value("val_split"));
    }

    /** The recorded {@code --keep}. */
    String keep() {
        return value("keep");
    }

    /** The recorded {@code --augment} ({@link Augmentation#spec()}), or null when the checkpoint predates the record. */
    String augment() {
        return value("augment");
    }

    /** The recorded data directory, {@link #BUNDLED} for the bundled sample, or null when the checkpoint predates the record. */
    String data() {
        return value("data");
    }

    /** The {@code data} setting of a run reading {@code dir} (null: the bundled sample). */
    static String data(Path dir) {
        return dir == null ? BUNDLED : dir.toAbsolutePath().normalize().toString();
    }

    private String value(String key) {
        return later(values, key);
    }

    /**
     * A setting that older checkpoints may lack ({@code val_split}, {@code keep}, {@code data}):
     * the value {@code recorded} holds, else the one runs had before it was recorded (null: unknown).
     */
    static String later(Map<String, String> recorded, String key) {
        return recorded.containsKey(key) ? recorded.get(key) : LATER.get(key)[1];
    }

    /**
     * Fails naming each setting added later ({@code --val-split}, {@code --keep}, {@code --data})
     * that {@code now} sets to other than what {@code ckpt} recorded ({@code recorded}, its
     * {@link Checkpoint#runInfo}); for the {@code compress} commands, whose checkpoints record
     * their own settings.
     */
    static void requireSameLater(CommandLine cl, Path ckpt, Map<String, String> recorded, Map<String, String> now) {
        List<String> conflicts = laterConflicts(recorded, now);
        if (!conflicts.isEmpty()) {
            throw new ParameterException(cl, "--resume " + ckpt + " was written with other settings: "
                    + String.join(", ", conflicts) + "; leave these flags out to continue that run, or start a new one");
        }
    }

    private static List<String> laterConflicts(Map<String, String> recorded, Map<String, String> now) {
        List<String> conflicts = new ArrayList<>();
        LATER.forEach((key, flag) -> {
            String was = later(recorded, key), is = now.get(key);
            if (is != null && was != null && !same(key, was, is)) {
                conflicts.add(flag[0] + " " + shown(key, is) + " (the checkpoint's run: " + shown(key, was) + ")");
            }
        });
        return conflicts;
    }

    /** Equal settings; fractions compare as numbers ({@code 0.10} is {@code 0.1}). */
    private static boolean same(String key, String a, String b) {
        if (!key.equals("val_split")) return a.equals(b);
        try {
            return Double.parseDouble(a) == Double.parseDouble(b);
        } catch (NumberFormatException e) {
            return a.equals(b);
        }
    }

    /** The recorded recipe (a bad number is an error naming the checkpoint's key). */
    Recipe recipe(Path ckpt) {
        try {
            return new Recipe(values.get("optimizer"), Double.parseDouble(values.get("lr")),
                    Double.parseDouble(values.get("momentum")), Double.parseDouble(values.get("weight_decay")),
                    values.get("schedule"), Integer.parseInt(values.get("epochs")), Integer.parseInt(values.get("batch")));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(ckpt + ": bad run settings in its metadata " + values + ": " + e.getMessage(), e);
        }
    }

    private static String shown(String key, String value) {
        return key.equals("data") && value.equals(BUNDLED) ? "left out (the bundled MNIST sample)" : value;
    }

    /**
     * Fails listing every setting of {@code now} (this run, flags applied over the recorded
     * values) that differs from the recorded one, except the epochs; warns when the epochs
     * change under a schedule whose length depends on them.
     */
    void requireSame(CommandLine cl, Path ckpt, Map<String, String> now, PrintWriter err) {
        List<String> conflicts = new ArrayList<>();
        FLAGS.forEach((key, flag) -> {
            String was = values.get(key), is = now.get(key);
            if (key.equals("epochs") || was.equals(is)) return;
            conflicts.add(flag + " " + is + " (the checkpoint's run: " + was + ")");
        });
        conflicts.addAll(laterConflicts(values, now));
        if (!conflicts.isEmpty()) {
            throw new ParameterException(cl, "--resume " + ckpt + " was written with other settings: "
                    + String.join(", ", conflicts) + "; leave these flags out to continue that run, or start a new one");
        }
        if (!values.get("epochs").equals(now.get("epochs")) && !now.get("schedule").equals("none")) {
            err.println("warning: the " + now.get("schedule") + " schedule of " + ckpt + " was laid out over "
                    + values.get("epochs") + " epochs; it now spans " + now.get("epochs") + ", so the learning rate jumps");
        }
    }
}
