package dev.tersor.cli;

import static dev.tersor.cli.MainTest.FAST;
import static dev.tersor.cli.MainTest.concat;
import static dev.tersor.cli.MainTest.json;
import static dev.tersor.cli.MainTest.number;
import static dev.tersor.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.cli.MainTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tersor demo} (on a few hundred images: the real demo, on all 10,000, is checked by
 * running {@code ./tersor demo}), {@code bench train-step} and {@code data fetch}.
 */
class CommandsTest {

    @TempDir
    Path tmp;

    @Test
    void demoWeightsGoToOneCacheDirectoryReusedByEveryRun() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path expected = xdg != null && !xdg.isBlank() ? Path.of(xdg, "tersor", "demo")
                : Path.of(System.getProperty("user.home"), ".cache", "tersor", "demo");
        assertEquals(expected, DemoCommand.defaultDir());
    }

    @Test
    void demoPrintsTheTableAndEndsWithTheAccuracy() throws Exception {
        Run r = run("demo", "--limit", "1280", "--epochs", "2", "--threads", "1", "--out-dir", tmp.toString());
        assertEquals(0, r.code(), r.err());
        Matcher m = Pattern.compile("^accuracy: (\\d+\\.\\d\\d)%$").matcher(r.lastLine());
        assertTrue(m.matches(), "last line: " + r.lastLine());
        double accuracy = Double.parseDouble(m.group(1));
        assertTrue(accuracy > 50, "learns in 40 steps: " + r.out());
        String table = r.out();
        for (String column : new String[] {"model", "accuracy", "parameters", "size on disk", "s/epoch", "images/s"}) {
            assertTrue(table.contains(column), column + " in " + table);
        }
        assertTrue(table.contains("LeNet-5") && table.contains("61,706"), table);
        Path weights = tmp.resolve("lenet5.safetensors");
        assertTrue(Files.isRegularFile(weights), "weights saved");
        assertTrue(table.contains(String.format("%,d B", Files.size(weights))), "size on disk: " + table);
        assertTrue(table.contains(m.group(1) + "%"), "the table shows the same accuracy: " + table);
        assertTrue(r.err().contains("epoch 2/2"), "progress on stderr: " + r.err());
        assertTrue(r.out().contains("(e.g. tersor eval --model lenet5 --weights " + weights + ")"), "the hint names the command: " + r.out());
        for (String id : new String[] {"lenet5-int8", "lenet5-w4a4-lsq", "lenet5-dpnet3"}) {   // the compressed rows
            Path f = tmp.resolve(id + ".safetensors");
            assertTrue(dev.tersor.compress.io.CompressedModel.isCompressed(f), id + " is a compressed model file");
            assertTrue(table.contains(String.format("%,d B", Files.size(f))) && Files.size(f) < Files.size(weights) / 3, id + ": " + table);
        }

        Run eval = run("eval", "--model", "lenet5", "--weights", weights.toString(), "--limit", "1280", "--json");
        assertEquals(0, eval.code(), eval.err());
        assertEquals(accuracy / 100, number(json(eval.lastLine()), "accuracy"), 5e-5, "eval agrees with the demo (to the table's two decimals)");
    }

    @Test
    void demoIsDeterministic() {
        String[] args = {"demo", "--limit", "320", "--epochs", "1", "--threads", "1", "--out-dir", tmp.toString()};
        assertEquals(run(args).lastLine(), run(args).lastLine());
    }

    @Test
    void benchTrainStepJson() {
        Run r = run(concat(new String[] {"bench", "train-step", "--model", "lenet5", "--batch", "8", "--threads", "1",
            "--json", "--min-reps", "2"}, FAST));
        assertEquals(0, r.code(), r.err());
        Map<String, Object> m = json(r.lastLine());
        assertTrue(number(m, "median_ms") > 0, r.lastLine());
        assertEquals("train-step", m.get("bench"));
        assertEquals("lenet5", m.get("model"));
        assertEquals(8.0, number(m, "batch"));
        assertEquals(1.0, number(m, "threads"));
        assertTrue(number(m, "images_per_s") > 0);
    }

    @Test
    void benchTrainStepOfASuperResolutionModel() {
        Run r = run(concat(new String[] {"bench", "train-step", "--model", "edsr", "--batch", "1", "--threads", "1",
            "--json", "--min-reps", "1", "--warmup-seconds", "0", "--time-seconds", "0"}));
        assertEquals(0, r.code(), r.err());
        assertEquals("adam", json(r.lastLine()).get("optimizer"));
    }

    @Test
    void dataFetchWithoutNetworkSaysWhichFilesToPlaceWhere() {
        Path dir = tmp.resolve("mnist");
        // Nothing listens on port 1 of the loopback: the connection is refused at once.
        Run r = run("data", "fetch", "mnist", "--dir", dir.toString(), "--mirror", "http://127.0.0.1:1/");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("place these files in " + dir), r.err());
        for (String f : List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                "t10k-labels-idx1-ubyte.gz")) {
            assertTrue(r.err().contains(f), f + " in " + r.err());
        }
        assertTrue(r.out().isEmpty(), r.out());

        Run unknown = run("data", "fetch", "imagenet", "--dir", dir.toString());
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("mnist, fashion-mnist, cifar10"), unknown.err());
    }

    @Test
    void everyCommandIsListed() {
        Run r = run();
        assertEquals(2, r.code());
        for (String c : new String[] {"demo", "train", "eval", "predict", "info", "data", "bench"}) {
            assertTrue(r.err().contains(c), c + " in " + r.err());
        }
    }
}
