package dev.tersor.cli;

import static dev.tersor.cli.MainTest.json;
import static dev.tersor.cli.MainTest.number;
import static dev.tersor.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.cli.MainTest.Run;
import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.io.Safetensors;
import dev.tersor.nn.io.SafetensorsFile;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tersor predict} and {@code tersor info}. */
class PredictInfoTest {

    @TempDir
    Path tmp;

    Path weights;
    Module model;

    @BeforeEach
    void saveAModel() throws Exception {
        Rng.manualSeed(7);
        model = Zoo.create("lenet5");
        weights = tmp.resolve("lenet5.safetensors");
        model.save(weights);
        model.eval();
    }

    private Tensor expected(Tensor x) {
        try (var g = Tensor.noGrad()) {
            return model.call(x);
        }
    }

    @Test
    void predictWritesTheEvalForwardOfTheInputTensor() throws Exception {
        Tensor x = Tensor.randn(new Generator(3), 4, 1, 28, 28);
        Path in = tmp.resolve("x.safetensors");
        Safetensors.write(in, Map.of("pixels", x), null);   // the file's only tensor, whatever its name
        Path out = tmp.resolve("y.safetensors");
        Run r = run("predict", "--model", "lenet5", "--weights", weights.toString(), "--input", in.toString(),
                "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        try (SafetensorsFile f = Safetensors.read(out)) {
            assertEquals(List.of("output"), f.names());
            assertEquals("F32", f.dtype("output").name());
            Tensor y = f.tensor("output");
            assertArrayEquals(new int[] {4, 10}, y.shape());
            assertArrayEquals(expected(x).toArray(), y.toArray(), 1e-6f);
        }
    }

    @Test
    void predictTakesTheTensorNamedInputAndOneUnbatchedSample() throws Exception {
        Tensor x = Tensor.randn(new Generator(5), 1, 28, 28);
        Path in = tmp.resolve("x.safetensors");
        Safetensors.write(in, Map.of("input", x, "other", Tensor.zeros(3)), null);
        Path out = tmp.resolve("y.safetensors");
        Run r = run("predict", "--model", "lenet5", "--weights", weights.toString(), "--input", in.toString(),
                "--output", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of(10.0), json(r.lastLine()).get("output_shape"));
        Tensor y = Safetensors.readTensors(out).get("output");
        assertArrayEquals(new int[] {10}, y.shape());
        assertArrayEquals(expected(x.reshape(1, 1, 28, 28)).toArray(), y.toArray(), 1e-6f);
    }

    @Test
    void predictRejectsInputsThatDoNotFit() throws Exception {
        Path in = tmp.resolve("x.safetensors");
        Safetensors.write(in, Map.of("input", Tensor.zeros(2, 3, 32, 32)), null);
        Run r = run("predict", "--model", "lenet5", "--weights", weights.toString(), "--input", in.toString(),
                "--output", tmp.resolve("y.safetensors").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("[2, 3, 32, 32]") && r.err().contains("[N, 1, 28, 28]"), r.err());

        Path two = tmp.resolve("two.safetensors");
        Safetensors.write(two, Map.of("a", Tensor.zeros(1, 1, 28, 28), "b", Tensor.zeros(1, 1, 28, 28)), null);
        Run names = run("predict", "--model", "lenet5", "--weights", weights.toString(), "--input", two.toString(),
                "--output", tmp.resolve("y.safetensors").toString());
        assertEquals(1, names.code());
        assertTrue(names.err().contains("'input'"), names.err());

        Run neither = run("predict", "--model", "lenet5", "--weights", weights.toString());
        assertEquals(2, neither.code());
    }

    @Test
    void predictAnImagePrintsTheTopClasses() throws Exception {
        Path png = tmp.resolve("digit.png");
        TestData.writeDigitPng(png, 0, 2);   // 56×56: resized to 28×28
        Run r = run("predict", "--model", "lenet5", "--weights", weights.toString(), "--image", png.toString(), "--top", "3");
        assertEquals(0, r.code(), r.err());
        assertEquals(3, r.out().lines().filter(l -> l.matches("\\s+\\d\\. \\d\\s+\\d+\\.\\d\\d%")).count(), r.out());

        Run j = run("predict", "--model", "lenet5", "--weights", weights.toString(), "--image", png.toString(), "--json");
        assertEquals(0, j.code(), j.err());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> top = (List<Map<String, Object>>) json(j.lastLine()).get("top");
        assertEquals(5, top.size());
        double sum = 0, previous = 1;
        for (Map<String, Object> row : top) {
            double p = number(row, "probability");
            assertTrue(p <= previous, "sorted: " + top);
            previous = p;
            sum += p;
            assertEquals(String.valueOf((int) number(row, "index")), row.get("class"), "MNIST classes are the digits");
        }
        assertTrue(sum <= 1 + 1e-6, "probabilities: " + top);

        // the same image through the model by hand: grayscale, resized, normalised
        Tensor x = PredictCommand.readImage(png, new int[] {1, 28, 28});
        Tensor p = expected(DataSplits.normalize(Zoo.info("lenet5")).apply(x, null)).softmax(1);
        assertEquals(p.toArray()[(int) number(top.get(0), "index")], number(top.get(0), "probability"), 1e-6);
    }

    @Test
    void predictAFolderWritesEachImagesTopClassesAsCsv() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("digits"));
        String[] names = {"a.png", "b,with comma.png", "c.png"};
        for (int i = 0; i < names.length; i++) TestData.writeDigitPng(dir.resolve(names[i]), i, 1 + i % 2);
        Files.writeString(dir.resolve("notes.txt"), "not an image");
        Path csv = tmp.resolve("top.csv");
        Run r = run("predict", "--model", "lenet5", "--weights", weights.toString(), "--images", dir.toString(), "--csv", csv.toString(),
                "--top", "3", "--json");
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(csv);
        assertEquals("file,top1,p1,top2,p2,top3,p3", lines.get(0));
        assertEquals(4, lines.size(), "a row per image, the text file skipped: " + lines);
        assertTrue(lines.get(2).startsWith("\"b,with comma.png\","), "RFC 4180 quoting: " + lines.get(2));
        for (int i = 0; i < names.length; i++) {
            Run one = run("predict", "--model", "lenet5", "--weights", weights.toString(), "--image", dir.resolve(names[i]).toString(),
                    "--top", "3", "--json");
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> top = (List<Map<String, Object>>) json(one.lastLine()).get("top");
            String[] cells = lines.get(i + 1).replace("\"b,with comma.png\"", "b").split(",");
            for (int k = 0; k < 3; k++) {
                assertEquals(top.get(k).get("class"), cells[1 + 2 * k], names[i] + ": rank " + (k + 1) + " as --image gives it");
                assertEquals(((Number) top.get(k).get("probability")).doubleValue(), Double.parseDouble(cells[2 + 2 * k]), 1e-6);
            }
        }
        assertEquals(3.0, number(json(r.lastLine()), "count"));

        Run noCsv = run("predict", "--model", "lenet5", "--weights", weights.toString(), "--images", dir.toString());
        assertEquals(2, noCsv.code());
        assertTrue(noCsv.err().contains("--images DIR and --csv F go together"), noCsv.err());
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Run none = run("predict", "--model", "lenet5", "--weights", weights.toString(), "--images", empty.toString(), "--csv", csv.toString());
        assertEquals(2, none.code());
        assertTrue(none.err().contains("holds no .png, .jpg or .jpeg image"), none.err());
    }

    @Test
    void infoJsonHasLayersAndTotals() {
        Run r = run("info", "--model", "lenet5", "--json");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> m = json(r.lastLine());
        assertEquals(61706.0, number(m, "total_params"));
        assertEquals(416520.0, number(m, "total_macs"));
        assertEquals(List.of(1.0, 28.0, 28.0), m.get("input_shape"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> layers = (List<Map<String, Object>>) m.get("layers");
        assertEquals(List.of("conv1", "conv2", "fc1", "fc2", "fc3"), layers.stream().map(l -> l.get("name")).toList());
        assertEquals(156.0, number(layers.get(0), "params"));
        @SuppressWarnings("unchecked")
        Map<String, Object> recipe = (Map<String, Object>) m.get("recipe");
        assertEquals("sgd", recipe.get("optimizer"));
        assertEquals(0.05, number(recipe, "lr"));
        assertTrue(((String) m.get("preprocessing")).contains("0.1307"));
    }

    @Test
    void infoTableAndZooList() {
        Run r = run("info", "--model", "resnet20");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("layer3.2.conv2") && r.out().contains("total") && r.out().contains("recipe:"), r.out());
        Run list = run("info");
        assertEquals(0, list.code());
        for (String name : Zoo.names()) assertTrue(list.out().contains(name), list.out());
    }

    @Test
    void unknownModelListsTheValidNames() {
        for (String[] args : new String[][] {
            {"info", "--model", "alexnet"},
            {"predict", "--model", "alexnet", "--weights", "w", "--image", "x.png"},
            {"bench", "train-step", "--model", "alexnet"},
        }) {
            Run r = run(args);
            assertEquals(2, r.code(), String.join(" ", args));
            assertTrue(r.err().contains("alexnet") && r.err().contains("lenet5") && r.err().contains("resnet110"), r.err());
        }
    }
}
