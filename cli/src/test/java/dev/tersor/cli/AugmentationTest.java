package dev.tersor.cli;

import static dev.tersor.cli.MainTest.json;
import static dev.tersor.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.cli.MainTest.Run;
import dev.tersor.nn.data.Batch;
import dev.tersor.nn.data.RandomCrop;
import dev.tersor.nn.data.RandomHorizontalFlip;
import dev.tersor.nn.data.TensorDataset;
import dev.tersor.nn.zoo.ModelInfo;
import dev.tersor.nn.zoo.Zoo;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --augment} of {@code train} and of the {@code compress} commands that train: the spec's
 * forms and errors, what the training loader does with it (the sample order unchanged, each image
 * itself or its mirror under {@code flip}), and that runs record it and a resume keeps it.
 */
class AugmentationTest {
    @TempDir
    Path tmp;

    @Test
    void specsParseToTheirCanonicalFormAndBadOnesSayWhatIsAccepted() {
        assertEquals(Augmentation.NONE, Augmentation.parse(" None "));
        assertEquals(new Augmentation(0, true), Augmentation.parse("flip"));
        assertEquals(new Augmentation(2, false), Augmentation.parse("crop=2"));
        assertEquals(new Augmentation(3, true), Augmentation.parse("flip, crop=3"));
        assertEquals("crop=3,flip", Augmentation.parse("flip,crop=3").spec());
        assertEquals("flip", Augmentation.parse("FLIP").spec());
        for (String s : List.of("crop=4,flip", "crop=1", "flip", "none")) assertEquals(s, Augmentation.parse(s).spec(), "round trip");
        for (String[] bad : new String[][] {{"rotate", "unknown part 'rotate'"}, {"flip,flip", "'flip' is given twice"},
            {"crop=0", "between 1 and 16 pixels, got 0"}, {"crop=17", "got 17"}, {"crop=two", "'two' is not a whole number"},
            {"", "unknown part ''"}, {"crop=2,", "unknown part ''"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Augmentation.parse(bad[0]), bad[0]);
            assertTrue(e.getMessage().contains(bad[1]) && e.getMessage().contains("give none, flip, crop=P or crop=P,flip"), e.getMessage());
        }
    }

    @Test
    void theDefaultIsTheModelsRecipe() {
        ModelInfo cifar = Zoo.info("resnet20");
        ModelInfo fashion = Zoo.info("resnet20-fashion");
        assertTrue(cifar.augment() && !fashion.augment(), "the zoo's recipes as this test assumes them");
        assertEquals("crop=4,flip", Augmentation.of(cifar).spec());
        assertEquals("none", Augmentation.of(fashion).spec());
        assertEquals(List.of(new RandomCrop(28, 2), new RandomHorizontalFlip(0.5f)), Augmentation.parse("crop=2,flip").transforms(fashion));
        assertTrue(Augmentation.NONE.transforms(cifar).isEmpty());
    }

    @Test
    void flipMirrorsSomeImagesAndKeepsTheSampleOrder() {
        ModelInfo info = Zoo.info("lenet5");
        int n = 64, side = 28;
        float[] x = new float[n * side * side];
        int[] y = new int[n];
        for (int i = 0; i < x.length; i++) x[i] = (float) ((i * 2654435761L) % 1000) / 1000f;   // no image is its own mirror
        for (int i = 0; i < n; i++) y[i] = i % 10;
        TensorDataset ds = TensorDataset.of(x, y, 1, side, side);
        Batch plain = DataSplits.trainLoader(info, ds, n, 9, Augmentation.NONE).iterator().next();
        Batch recipe = DataSplits.trainLoader(info, ds, n, 9).iterator().next();
        Batch flipped = DataSplits.trainLoader(info, ds, n, 9, Augmentation.parse("flip")).iterator().next();
        assertArrayEquals(plain.inputs().toArray(), recipe.inputs().toArray(), "lenet5's recipe has no augmentation");
        assertArrayEquals(plain.labels().toArray(), flipped.labels().toArray(), "the same order");
        float[] a = plain.inputs().toArray(), b = flipped.inputs().toArray();
        int mirrored = 0;
        for (int s = 0; s < n; s++) {
            float[] p = Arrays.copyOfRange(a, s * side * side, (s + 1) * side * side);
            float[] f = Arrays.copyOfRange(b, s * side * side, (s + 1) * side * side);
            float[] m = new float[p.length];
            for (int r = 0; r < side; r++) for (int c = 0; c < side; c++) m[r * side + c] = p[r * side + side - 1 - c];
            boolean same = Arrays.equals(p, f), mirror = Arrays.equals(m, f);
            assertTrue(same ^ mirror, "sample " + s + " is itself or its mirror");
            if (mirror) mirrored++;
        }
        assertTrue(mirrored > 16 && mirrored < 48, "about half mirrored, got " + mirrored + " of " + n);
        Batch cropped = DataSplits.trainLoader(info, ds, n, 9, Augmentation.parse("crop=2")).iterator().next();
        assertFalse(Arrays.equals(a, cropped.inputs().toArray()), "crop=2 shifts images");
    }

    @Test
    void trainAndCompressRecordItAndAResumeKeepsIt() {
        Path w = tmp.resolve("w.safetensors");
        Run t = run("train", "--model", "lenet5", "--limit", "256", "--batch", "32", "--epochs", "1", "--threads", "1",
                "--augment", "flip,crop=2", "--out", w.toString(), "--json");
        assertEquals(0, t.code(), t.err());
        assertEquals("crop=2,flip", json(t.lastLine()).get("augment"));
        assertTrue(t.err().contains("augment crop=2,flip"), t.err());
        Run again = run("train", "--model", "lenet5", "--epochs", "2", "--resume", w + ".ckpt", "--augment", "none", "--out", w.toString());
        assertEquals(2, again.code(), again.err());
        assertTrue(again.err().contains("--augment none (the checkpoint's run: crop=2,flip)"), again.err());
        Run bad = run("train", "--model", "lenet5", "--limit", "256", "--augment", "rotate", "--out", tmp.resolve("x.safetensors").toString());
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("--augment 'rotate': unknown part 'rotate'"), bad.err());

        Path q = tmp.resolve("q.safetensors");
        String[] qat = {"compress", "qat", "--model", "lenet5", "--weights", w.toString(), "--out", q.toString(), "--method", "lsq",
            "--wbits", "4", "--abits", "4", "--batch", "32", "--limit", "256", "--threads", "1", "--json"};
        Run first = run(MainTest.concat(qat, "--epochs", "1", "--augment", "flip"));
        assertEquals(0, first.code(), first.err());
        assertEquals("flip", json(first.lastLine()).get("augment"));
        Run refused = run(MainTest.concat(qat, "--epochs", "2", "--resume", q + ".ckpt", "--augment", "crop=4,flip"));
        assertEquals(2, refused.code(), refused.err());
        assertTrue(refused.err().contains("--augment crop=4,flip (the checkpoint's run: flip)"), refused.err());
        Run resumed = run(MainTest.concat(qat, "--epochs", "2", "--resume", q + ".ckpt"));
        assertEquals(0, resumed.code(), resumed.err());
        assertEquals("flip", json(resumed.lastLine()).get("augment"), "a resume keeps the recorded augmentation");
        Run plain = run(MainTest.concat(qat, "--epochs", "1"));
        assertEquals("none", json(plain.lastLine()).get("augment"), "the default: lenet5's recipe");
    }
}
