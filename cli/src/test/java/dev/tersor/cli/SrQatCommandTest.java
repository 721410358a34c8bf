package dev.tersor.cli;

import static dev.tersor.cli.MainTest.json;
import static dev.tersor.cli.MainTest.number;
import static dev.tersor.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.cli.MainTest.Run;
import dev.tersor.compress.io.CompressedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code compress qat --task sr}: PAMS on edsr-tiny from float weights trained here, the file it writes, and its refusals. */
class SrQatCommandTest {
    @TempDir
    Path tmp;
    Path train, val, floatWeights;

    @BeforeEach
    void trainFloat() throws IOException {
        train = SrCommandsTest.photos(tmp.resolve("train"), 3);
        val = tmp.resolve("val");
        SrCommandsTest.photo(5, 24, 24).writePng(val.resolve("v0.png"));
        SrCommandsTest.photo(6, 20, 26).writePng(val.resolve("v1.png"));
        floatWeights = tmp.resolve("float.safetensors");
        Run t = run("train", "--task", "sr", "--model", "edsr-tiny", "--data", train.toString(), "--patch", "12", "--batch", "2",
                "--iterations-per-epoch", "3", "--epochs", "1", "--threads", "1", "--out", floatWeights.toString());
        assertEquals(0, t.code(), t.err());
    }

    /** {@code compress qat --task sr} with PAMS W4A4 defaults for a tiny run; {@code extra} pairs add to or replace them. */
    private Run qat(String out, String... extra) {
        Map<String, String> a = new LinkedHashMap<>();
        String[] defaults = {"--task", "sr", "--model", "edsr-tiny", "--weights", floatWeights.toString(), "--method", "pams", "--wbits", "4",
            "--abits", "4", "--teacher", "edsr-tiny:" + floatWeights, "--data", train.toString(), "--val", val.toString(), "--patch", "12",
            "--batch", "2", "--iterations-per-epoch", "3", "--epochs", "2", "--threads", "1", "--out", tmp.resolve(out).toString()};
        for (int i = 0; i < defaults.length; i += 2) a.put(defaults[i], defaults[i + 1]);
        for (int i = 0; i < extra.length; i += 2) a.put(extra[i], extra[i + 1]);
        List<String> args = new ArrayList<>(List.of("compress", "qat"));
        a.forEach((k, v) -> args.addAll(List.of(k, v)));
        args.add("--json");
        return run(args.toArray(String[]::new));
    }

    @Test
    @SuppressWarnings("unchecked")
    void pamsQuantizesTheResidualBlocksAndWritesAFileThatEvalLoads() throws IOException {
        Run r = qat("w4.safetensors");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = json(r.lastLine());
        List<String> layers = (List<String>) j.get("quantized_layers");
        assertEquals(8, layers.size(), layers.toString());   // edsr-tiny: 4 blocks of 2 convolutions
        assertTrue(layers.stream().allMatch(p -> p.matches("body\\.\\d\\.body\\.[02]")), layers.toString());
        assertTrue(r.err().contains("epoch 2: PAMS: learning the clip of 8 quantizers"), r.err());
        assertTrue(r.err().contains("L1 + 1000.0 x attention transfer"), r.err());
        Path out = tmp.resolve("w4.safetensors");
        assertTrue(CompressedModel.isCompressed(out));
        assertEquals(Files.size(out), (long) number(j, "file_bytes"));
        assertTrue(number(j, "file_bytes") < 0.75 * number(j, "float_file_bytes"), j.toString());
        List<Double> psnr = (List<Double>) j.get("val_psnr_y");
        assertEquals(2, psnr.size());

        // eval reads the compressed file without --model and gives the PSNR the command reported for it
        Run e = run("eval", "--task", "sr", "--weights", out.toString(), "--data", val.toString(), "--json");
        assertEquals(0, e.code(), e.err());
        Map<String, Object> ej = json(e.lastLine());
        assertEquals("edsr-tiny", ej.get("model"));
        assertEquals(number(j, "psnr_y"), number((Map<String, Object>) ej.get("mean"), "psnr_y"), 1e-9);
        // integer layers: within a little of what the fake-quantized model scored after the last epoch
        assertEquals(psnr.get(1), number(j, "psnr_y"), 0.05);
    }

    @Test
    void refusalsNameTheFlag() {
        Run r = qat("a.safetensors", "--dataset", "mnist");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--dataset is for classifiers"), r.err());
        r = qat("b.safetensors", "--only", "nothing\\..*");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("only 'nothing\\..*' matches none"), r.err());
        r = qat("c.safetensors", "--teacher", "edsr-tiny");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("give the teacher's weights as M:W"), r.err());
        r = qat("d.safetensors", "--scale", "3");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--scale 3"), r.err());

        Run first = qat("e.safetensors", "--epochs", "1");
        assertEquals(0, first.code(), first.err());
        Run resumed = qat("e2.safetensors", "--resume", tmp.resolve("e.safetensors.ckpt").toString(), "--wbits", "8", "--abits", "8");
        assertEquals(2, resumed.code());
        assertTrue(resumed.err().contains("bits 8:8 (the run had 4:4)"), resumed.err());
    }
}
