package dev.tersor.cli;

import static dev.tersor.cli.MainTest.json;
import static dev.tersor.cli.MainTest.number;
import static dev.tersor.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.cli.MainTest.Run;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code tersor compress distill} (KD and PKKD) and {@code --teacher} of the compress commands that train, on the bundled MNIST sample. */
class CompressDistillTest {
    @TempDir
    static Path tmp;
    static Path teacher;
    static final String[] DATA = {"--limit", "512", "--batch", "32", "--threads", "1", "--json"};

    @BeforeAll
    static void trainTeacher() {
        teacher = tmp.resolve("lenet5.safetensors");
        Run r = run("train", "--model", "lenet5", "--limit", "512", "--batch", "32", "--epochs", "4", "--threads", "1", "--out", teacher.toString());
        assertEquals(0, r.code(), r.err());
    }

    private static Run distill(String... args) {
        return run(MainTest.concat(MainTest.concat(new String[] {"compress", "distill"}, DATA), args));
    }

    private static double evalAccuracy(String model, Path weights) {
        Run e = run("eval", "--model", model, "--weights", weights.toString(), "--limit", "512", "--threads", "1", "--json");
        assertEquals(0, e.code(), e.err());
        return number(json(e.lastLine()), "accuracy");
    }

    @Test
    void kdWritesAStudentThatEvalReadsAndResumes() {
        Path out = tmp.resolve("half.safetensors");
        String[] args = {"--teacher", "lenet5:" + teacher, "--student", "lenet5-half", "--alpha", "0.7", "--temperature", "3",
            "--at-layers", "conv2", "--out", out.toString()};
        Run r = distill(MainTest.concat(args, new String[] {"--epochs", "1"}));
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = json(r.lastLine());
        assertEquals("kd", j.get("method"));
        assertEquals(evalAccuracy("lenet5", teacher), number(j, "teacher_accuracy"), 1e-12, "the teacher's accuracy");
        assertEquals(evalAccuracy("lenet5-half", out), number(j, "student_accuracy"), 1e-12, "eval reads the student");
        assertTrue(number(j, "teacher_accuracy") > 0.5, j.toString());
        assertTrue(r.err().contains("teacher lenet5: test accuracy"), r.err());
        assertEquals(512.0, number(j, "train_samples") + number(j, "validation_samples"), "the default tenth is held out: " + j);
        assertTrue(number(j, "validation_samples") > 40 && number(j, "student_val_accuracy") > 0, j.toString());
        assertEquals(number(j, "student_accuracy"), number(j, "student_test_accuracy"));
        @SuppressWarnings("unchecked")
        Map<String, Object> h = (Map<String, Object>) j.get("history");
        assertTrue(h != null && ((List<?>) h.get("val_accuracy")).get(0) instanceof Double, j.toString());
        assertEquals(java.util.Arrays.asList((Object) null), h.get("test_accuracy"), "no epoch is scored on the test split");
        assertTrue(Files.exists(Path.of(out + ".ckpt")));
        Run resumed = distill(MainTest.concat(args, new String[] {"--epochs", "2", "--resume", out + ".ckpt"}));
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("after epoch 1") && resumed.err().contains("epoch 2/2") && !resumed.err().contains("epoch 1/2:"), resumed.err());
        assertEquals(2.0, number(json(resumed.lastLine()), "epochs"));
    }

    @Test
    void mismatchesAreUsageErrorsBeforeTraining() {
        Path out = tmp.resolve("bad.safetensors");
        Run pair = distill("--teacher", "lenet5:" + teacher, "--student", "lenet5-half", "--at-layers", "conv2=conv1", "--out", out.toString());
        assertEquals(2, pair.code(), pair.err());
        assertTrue(pair.err().contains("layer pair conv2=conv1") && pair.err().contains("same spatial size"), pair.err());
        assertFalse(pair.err().contains("epoch 1/"), "no training ran");
        Run shape = distill("--teacher", "resnet20:" + teacher, "--student", "lenet5-half", "--out", out.toString());
        assertEquals(2, shape.code(), shape.err());
        assertTrue(shape.err().contains("--teacher resnet20 takes 3×32×32 inputs, the student lenet5-half 1×28×28"), shape.err());
        Run noWeights = distill("--teacher", "lenet5", "--student", "lenet5-half", "--out", out.toString());
        assertEquals(2, noWeights.code(), noWeights.err());
        assertTrue(noWeights.err().contains("M:W"), noWeights.err());
        Run width = distill("--method", "pkkd", "--teacher", "lenet5-half", "--student", "lenet5-adder", "--out", out.toString());
        assertEquals(2, width.code(), width.err());
        assertTrue(width.err().contains("PKKD layer conv2"), width.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void pkkdTrainsTheAdderStudentWithAFreshTeacher() {
        Path out = tmp.resolve("adder.safetensors");
        Run r = distill("--method", "pkkd", "--teacher", "lenet5-bn", "--student", "lenet5-adder", "--epochs", "1", "--alpha", "0.5",
                "--temperature", "2", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = json(r.lastLine());
        assertEquals("pkkd", j.get("method"));
        assertEquals(evalAccuracy("lenet5-adder", out), number(j, "student_accuracy"), 1e-12);
        assertTrue(((String) j.get("recipe")).contains("kernel_layers=conv2,fc1,fc2"), j.toString());
    }

    @Test
    void qatDistilsFromATeacher() {
        Path out = tmp.resolve("w8.safetensors");
        Run r = run("compress", "qat", "--model", "lenet5", "--weights", teacher.toString(), "--method", "uniform", "--epochs", "1",
                "--teacher", "lenet5:" + teacher, "--alpha", "0.5", "--out", out.toString(), "--limit", "512", "--batch", "32", "--threads", "1", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(((String) json(r.lastLine()).get("recipe")).contains("teacher=lenet5:" + teacher + " alpha=0.5"), r.lastLine());
    }

    /** The tensors of a compressed file, each as its raw bytes. */
    private static Map<String, ByteBuffer> tensors(Path file) throws Exception {
        Map<String, ByteBuffer> out = new TreeMap<>();
        try (var f = dev.tersor.nn.io.Safetensors.read(file)) {
            for (String n : f.names()) {
                ByteBuffer b = f.bytes(n);
                ByteBuffer copy = ByteBuffer.allocate(b.remaining());
                copy.put(b.duplicate()).flip();
                out.put(n, copy);
            }
        }
        return out;
    }

    @ParameterizedTest
    @CsvSource({"cluster, --finetune-epochs 1", "slb, --epochs 1", "abs, --epochs 1"})
    void clusterSlbAndAbsDistilFromATeacher(String method, String settings) throws Exception {
        String[] head = MainTest.concat(new String[] {"compress", method, "--model", "lenet5", "--weights", teacher.toString()}, DATA);
        String[] args = MainTest.concat(head, settings.split(" "));
        Path alone = tmp.resolve(method + "-alone.safetensors");
        assertEquals(0, run(MainTest.concat(args, "--out", alone.toString())).code());
        Path zero = tmp.resolve(method + "-alpha0.safetensors");
        Run r0 = run(MainTest.concat(args, "--out", zero.toString(), "--teacher", "lenet5:" + teacher, "--alpha", "0"));
        assertEquals(0, r0.code(), r0.err());
        assertEquals(tensors(alone), tensors(zero), "alpha 0: the teacher takes no part, the same tensors bit for bit");
        Path kd = tmp.resolve(method + "-kd.safetensors");
        Run r = run(MainTest.concat(args, "--out", kd.toString(), "--teacher", "lenet5:" + teacher, "--alpha", "0.9", "--temperature", "4"));
        assertEquals(0, r.code(), r.err());
        assertNotEquals(tensors(alone), tensors(kd), "alpha 0.9: the teacher's soft targets change the training");
        assertTrue(((String) json(r.lastLine()).get("recipe")).contains("teacher=lenet5:" + teacher + " alpha=0.9 temperature=4.0"), r.lastLine());

        Path bad = tmp.resolve(method + "-bad.safetensors");
        Run shape = run(MainTest.concat(args, "--out", bad.toString(), "--teacher", "resnet20:" + teacher));
        assertEquals(2, shape.code(), shape.err());
        assertTrue(shape.err().contains("--teacher resnet20 takes 3×32×32 inputs"), shape.err());
        Run alpha = run(MainTest.concat(args, "--out", bad.toString(), "--teacher", "lenet5:" + teacher, "--alpha", "1.5"));
        assertEquals(2, alpha.code(), alpha.err());
        assertTrue(alpha.err().contains("--alpha must be in [0, 1], got 1.5"), alpha.err());
        assertFalse(Files.exists(bad), "nothing is written when the teacher is refused");
        assertFalse(shape.err().contains("epoch 1/"), "refused before any training: " + shape.err());
    }
}
