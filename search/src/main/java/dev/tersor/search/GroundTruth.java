package dev.tersor.search;

import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.CosineLr;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.nn.train.Evaluation;
import dev.tersor.nn.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The ground truth of a small space: every architecture trained stand-alone from scratch, once
 * per seed, with one fixed protocol, and scored on the validation and test parts of
 * {@link SearchData}. Each finished run is appended to a CSV at once, so a killed build resumes
 * where it stopped (runs already in the file are not trained again); {@code shard k of n} trains
 * only the architectures whose index is k modulo n, so several processes can share the work and
 * write to separate files.
 * <pre>
 * arch,seed,val_accuracy,test_accuracy,seconds
 * 0-3-1-2,1,0.8712,0.8655,14.2
 * </pre>
 * The seed sets the initial weights ({@link Rng#manualSeed}) and the order of the batches.
 */
public final class GroundTruth {
    /** The header of the runs CSV. */
    public static final String HEADER = "arch,seed,val_accuracy,test_accuracy,seconds";

    /**
     * The stand-alone training: SGD with momentum and weight decay (on every parameter), cosine
     * annealing to zero over all steps.
     */
    public record Protocol(int epochs, int batch, double lr, double momentum, double weightDecay, List<Long> seeds) {
        public Protocol {
            if (epochs < 1 || batch < 1) throw new IllegalArgumentException("GroundTruth.Protocol: epochs and batch must be >= 1, got " + epochs + ", " + batch);
            if (!(lr > 0) || momentum < 0 || momentum >= 1 || weightDecay < 0) {
                throw new IllegalArgumentException("GroundTruth.Protocol: need lr > 0, momentum in [0, 1), weight decay >= 0; got " + lr + ", " + momentum + ", " + weightDecay);
            }
            if (seeds == null || seeds.isEmpty() || new HashSet<>(seeds).size() != seeds.size()) {
                throw new IllegalArgumentException("GroundTruth.Protocol: needs at least one seed and no seed twice, got " + seeds);
            }
            seeds = List.copyOf(seeds);
        }

        /** The benchmark's protocol: 2 epochs, batch 64, SGD 0.05 (momentum 0.9, decay 4e-5, cosine), seeds 1, 2, 3. */
        public static Protocol benchmark() {
            return new Protocol(2, 64, 0.05, 0.9, 4e-5, List.of(1L, 2L, 3L));
        }
    }

    /** One stand-alone training. */
    public record Run(Architecture arch, long seed, double validationAccuracy, double testAccuracy, double seconds) {
        String csv() {
            return String.format(Locale.ROOT, "%s,%d,%.4f,%.4f,%.1f", arch.key(), seed, validationAccuracy, testAccuracy, seconds);
        }
    }

    private GroundTruth() {
    }

    /** Trains {@code arch} once with {@code seed} and scores it. */
    public static Run train(SearchSpace space, Architecture arch, long seed, SearchData data, Protocol p) {
        long t0 = System.nanoTime();
        Rng.manualSeed(seed);
        Module net = space.build(arch);
        Sgd sgd = new Sgd(net.parameters(), Sgd.options(p.lr()).momentum(p.momentum()).weightDecay(p.weightDecay()).build());
        var loader = data.trainLoader(p.batch(), seed);
        int steps = p.epochs() * ((data.train().size() + p.batch() - 1) / p.batch());
        new Trainer(net, sgd, new CosineLr(sgd, steps, 0), Losses::crossEntropy).fit(loader, null, Trainer.Options.epochs(p.epochs()).log(null));
        double val = Evaluation.of(net, data.validationLoader(500)).accuracy();
        double test = Evaluation.of(net, data.testLoader(500)).accuracy();
        return new Run(arch, seed, val, test, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Trains every (architecture, seed) of {@code archs} × the protocol's seeds that {@code csv}
     * does not hold yet and whose architecture index is {@code shard} modulo {@code shards},
     * appending each run as it finishes; returns the runs of the file (old and new).
     */
    public static List<Run> build(SearchSpace space, List<Architecture> archs, SearchData data, Protocol p, Path csv,
                                  int shard, int shards, PrintStream progress) throws IOException {
        if (shards < 1 || shard < 0 || shard >= shards) throw new IllegalArgumentException("GroundTruth: shard must be in [0, " + shards + "), got " + shard);
        List<Run> done = Files.exists(csv) ? read(csv, space) : new ArrayList<>();
        Set<String> have = new HashSet<>();
        for (Run r : done) have.add(r.arch().key() + "/" + r.seed());
        if (!Files.exists(csv)) Files.writeString(csv, HEADER + "\n", StandardCharsets.UTF_8);
        int todo = 0;
        for (int i = shard; i < archs.size(); i += shards) for (long s : p.seeds()) if (!have.contains(archs.get(i).key() + "/" + s)) todo++;
        int finished = 0;
        long t0 = System.nanoTime();
        for (int i = shard; i < archs.size(); i += shards) {
            for (long s : p.seeds()) {
                Architecture a = archs.get(i);
                if (have.contains(a.key() + "/" + s)) continue;
                Run r = train(space, a, s, data, p);
                Files.writeString(csv, r.csv() + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                done.add(r);
                finished++;
                if (progress != null) {
                    double per = (System.nanoTime() - t0) / 1e9 / finished;
                    progress.printf(Locale.ROOT, "[%d/%d] %s seed %d: test %.4f val %.4f (%.1f s, about %.0f min left)%n", finished, todo, a.key(), s,
                            r.testAccuracy(), r.validationAccuracy(), r.seconds(), per * (todo - finished) / 60);
                }
            }
        }
        return done;
    }

    /** The runs in {@code csv}; a line that does not parse, or an architecture not of {@code space}, is an error naming the line. */
    public static List<Run> read(Path csv, SearchSpace space) throws IOException {
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).trim().equals(HEADER)) {
            throw new IOException(csv + ": not a ground-truth runs file (expected the header '" + HEADER + "')");
        }
        List<Run> out = new ArrayList<>();
        for (int n = 1; n < lines.size(); n++) {
            String line = lines.get(n).trim();
            if (line.isEmpty()) continue;
            String[] f = line.split(",", -1);
            try {
                if (f.length != 5) throw new IllegalArgumentException("expected 5 fields, got " + f.length);
                Architecture a = space.validate(Architecture.parseKey(space.name(), f[0]));
                out.add(new Run(a, Long.parseLong(f[1]), accuracy(f[2]), accuracy(f[3]), Double.parseDouble(f[4])));
            } catch (IllegalArgumentException e) {
                throw new IOException(csv + " line " + (n + 1) + ": " + e.getMessage() + " in '" + line + "'", e);
            }
        }
        return out;
    }

    private static double accuracy(String s) {
        double v = Double.parseDouble(s);
        if (!(v >= 0 && v <= 1)) throw new IllegalArgumentException("accuracy " + s + " is not in [0, 1]");
        return v;
    }
}
