package dev.tersor.cli;

import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.data.StratifiedSplit;
import dev.tersor.nn.data.TensorDataset;
import dev.tersor.nn.train.Checkpoint;
import dev.tersor.nn.zoo.ModelInfo;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The validation part of a {@code compress} run ({@code --val-split F}): a seeded, stratified
 * share of the training split ({@link StratifiedSplit}, as {@code train --val-split}) held out of
 * every training and calibration step. Each fine-tuning epoch is scored on it, {@code --keep best}
 * chooses on it, searches score their candidates on it; the test split is scored once, at the
 * end. The default share is {@link #DEFAULT_FRACTION}; 0 holds out nothing (the whole training
 * split trains, and no epoch is scored). The split's seed is the command's {@code --split-seed}, else
 * the one the float weights were trained with ({@code train --val-split F --seed S} records it in
 * the weights file), else its {@code --seed}, or {@link #SEED} for a command without one
 * ({@code compress ptq}); a resume keeps the seed its checkpoint recorded.
 *
 * @param train      the samples that train and calibrate
 * @param validation the held-out samples, or null for a fraction of 0
 * @param fraction   the share held out, in [0, 1)
 * @param keep       {@code best} or {@code last}: the epoch whose weights a fine-tuning ends with
 * @param seed       the split's seed ({@code --split-seed}, else {@code --seed}, else {@link #SEED})
 */
record Holdout(TensorDataset train, TensorDataset validation, double fraction, String keep, long seed) {
    /** The share of the training split held out when {@code --val-split} is not given. */
    static final double DEFAULT_FRACTION = 0.1;
    /** The split's seed for commands without {@code --seed}. */
    static final long SEED = 42;

    Holdout {
        if (!(fraction >= 0 && fraction < 1)) throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + fraction);
        if (!keep.equals("best") && !keep.equals("last")) throw new IllegalArgumentException("keep must be best or last, got '" + keep + "'");
        if ((validation == null) != (fraction == 0)) throw new IllegalArgumentException("a validation part exactly when the fraction is > 0");
    }

    /**
     * The flags a run chose its hold-out with; null for flags not given. The split's seed is
     * {@code splitSeed} ({@code --split-seed}), else the resumed run's recorded one, else the one
     * the float weights were trained with ({@code weightsSplit}, as their file records it; null
     * when it records none), else {@code seed}.
     */
    record Flags(Double valSplit, String keep, Integer images, Long splitSeed, long seed, Path resume, Models.RecordedSplit weightsSplit) {
    }

    /**
     * Splits {@code train} as {@code f} say: {@code --val-split} (or {@code --validation N}, about
     * N images: the fraction N / train size; not both), else the resumed run's recorded settings,
     * else {@link #DEFAULT_FRACTION} and {@code last}. A resume whose flags differ from what its
     * checkpoint recorded, {@code --keep best} without a validation part, or a fraction outside
     * [0, 1) is a usage error naming the flag.
     */
    static Holdout of(CommandLine cl, TensorDataset train, Flags f) {
        Map<String, String> recorded = f.resume() == null ? null : Checkpoint.runInfo(f.resume());
        if (f.images() != null && f.valSplit() != null) {
            throw new ParameterException(cl, "give --val-split F or (the older form) --validation N, not both");
        }
        double fraction;
        if (f.images() != null) {
            if (f.images() < 1 || f.images() >= train.size()) {
                throw new ParameterException(cl, "--validation " + f.images() + " must be between 1 and " + (train.size() - 1)
                        + " (the training split has " + train.size() + " images)");
            }
            fraction = f.images() / (double) train.size();
        } else if (f.valSplit() != null) {
            fraction = f.valSplit();
        } else {
            fraction = recorded != null ? parse(cl, f.resume(), RunSettings.later(recorded, "val_split")) : DEFAULT_FRACTION;
        }
        if (!(fraction >= 0 && fraction < 1)) {
            throw new ParameterException(cl, "--val-split must be in [0, 1) (0: no validation split), got " + fraction);
        }
        String keep = f.keep() != null ? f.keep().trim().toLowerCase(Locale.ROOT) : recorded != null ? RunSettings.later(recorded, "keep") : "last";
        if (!keep.equals("best") && !keep.equals("last")) throw new ParameterException(cl, "--keep must be best or last, got '" + f.keep() + "'");
        if (keep.equals("best") && fraction == 0) {
            throw new ParameterException(cl, "--keep best needs a validation split to choose on: give --val-split F > 0 (e.g. 0.1)");
        }
        long seed = f.seed();
        if (f.splitSeed() != null) seed = f.splitSeed();
        else if (recorded != null && recorded.containsKey("split_seed")) seed = parseSeed(cl, f.resume(), recorded.get("split_seed"));
        else if (f.weightsSplit() != null && fraction > 0) {
            seed = f.weightsSplit().seed();
            cl.getErr().println("validation split seeded by " + seed + ", the seed the float weights were trained with (--split-seed to choose another)");
        }
        Models.RecordedSplit trained = f.weightsSplit();
        if (trained != null && fraction > 0 && trained.from() != null && trained.from() != train.size()) {
            cl.getErr().printf(Locale.ROOT, "warning: the float weights' validation split was drawn from %d training images and this"
                    + " run's from %d (another --limit or data set), so it holds other images, some of which they trained on%n",
                    trained.from(), train.size());
        } else if (trained != null && seed == trained.seed() && fraction > trained.fraction()) {
            cl.getErr().printf(Locale.ROOT, "warning: --val-split %s holds out more than the %s the float weights were validated on;"
                    + " the extra images were in their training split (use %s or less for a clean validation score)%n",
                    fraction, trained.fraction(), trained.fraction());
        }
        Map<String, String> now = settings(fraction, keep, seed);
        if (recorded != null) RunSettings.requireSameLater(cl, f.resume(), recorded, now);
        if (fraction == 0) return new Holdout(train, null, 0, keep, seed);
        StratifiedSplit parts;
        try {
            parts = StratifiedSplit.of(train.labels().toArray(), fraction, seed);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, "--val-split " + fraction + ": " + e.getMessage());
        }
        return new Holdout(train.subset(parts.train()), train.subset(parts.validation()), fraction, keep, seed);
    }

    private static double parse(CommandLine cl, Path ckpt, String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new ParameterException(cl, "--resume " + ckpt + ": bad recorded val_split '" + value + "'");
        }
    }

    private static long parseSeed(CommandLine cl, Path ckpt, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new ParameterException(cl, "--resume " + ckpt + ": bad recorded split_seed '" + value + "'");
        }
    }

    private static Map<String, String> settings(double fraction, String keep, long seed) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("val_split", Double.toString(fraction));
        m.put("keep", keep);
        if (fraction > 0) m.put("split_seed", Long.toString(seed));
        return m;
    }

    /** The settings a checkpoint records ({@code val_split}, {@code keep}, {@code split_seed} with a validation part) so a resume can check them. */
    Map<String, String> settings() {
        return settings(fraction, keep, seed);
    }

    /** True for {@code --keep best}. */
    boolean keepBest() {
        return keep.equals("best");
    }

    /** The validation part in order with {@code model}'s preprocessing, or null without one. */
    DataLoader loader(ModelInfo model) {
        return validation == null ? null : DataSplits.testLoader(model, validation);
    }

    /** The number of held-out samples (0 without a validation part). */
    int validationSize() {
        return validation == null ? 0 : validation.size();
    }

    /** {@code "461 train / 51 validation"}, for progress lines. */
    String describe() {
        return train.size() + " train / " + validationSize() + " validation";
    }
}
