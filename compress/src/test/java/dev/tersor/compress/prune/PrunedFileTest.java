package dev.tersor.compress.prune;

import static org.junit.jupiter.api.Assertions.*;

import dev.tersor.compress.io.CompressedModel;
import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.io.Safetensors;
import dev.tersor.nn.io.SafetensorsFile;
import dev.tersor.nn.io.SafetensorsFormatException;
import dev.tersor.nn.io.SafetensorsWriter;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pruned model saved as a compressed file is rebuilt from the file alone. */
class PrunedFileTest {
    @TempDir
    Path dir;

    private static Module pruned(PruningPlan[] plan) {
        Rng.manualSeed(8);
        Module m = Zoo.create("resnet20-fashion");
        Tensor x = PruningTest.input(1);
        ChannelGraph g = ChannelTrace.trace(m, x);
        plan[0] = Pruning.apply(m, g, Allocator.choose(g, Criteria.l1().scores(m, g), PruningTarget.flops(0.4).roundedTo(2)), x);
        return m.eval();
    }

    @Test
    void thePrunedArchitectureComesBackFromTheFile() throws IOException {
        PruningPlan[] plan = new PruningPlan[1];
        Module m = pruned(plan);
        Path file = dir.resolve("pruned.safetensors"), full = dir.resolve("full.safetensors");
        CompressedModel.save(m, "resnet20-fashion", plan[0], "prune l1", file);
        CompressedModel.save(Zoo.create("resnet20-fashion"), "resnet20-fashion", "none", full);
        Module back = CompressedModel.load(file);
        Tensor x = PruningTest.input(3);
        assertArrayEquals(PruningTest.run(m, x), PruningTest.run(back, x));
        assertTrue(Files.size(file) < 0.7 * Files.size(full), Files.size(file) + " vs " + Files.size(full));
        try (SafetensorsFile f = Safetensors.read(file)) {
            assertEquals(plan[0].encode(), CompressedModel.plan(f).encode());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CompressedModel.save(Zoo.create("resnet20-fashion"), "resnet20-fashion", plan[0], "", dir.resolve("x.safetensors")));
        assertFalse(Files.exists(dir.resolve("x.safetensors")), e.getMessage());
    }

    @Test
    void aPlanThatDoesNotFitTheFileIsAFormatError() throws IOException {
        PruningPlan[] plan = new PruningPlan[1];
        Module m = pruned(plan);
        Path file = dir.resolve("pruned.safetensors");
        CompressedModel.save(m, "resnet20-fashion", plan[0], "", file);
        expectError(file, "tersor.pruned", "layer1.0.conv2=0-3");
        expectError(file, "tersor.pruned", "layer1.0.conv1=0-3,x");
        expectError(file, "tersor.pruned", "");                          // plan missing: tensors do not fit the unpruned model
        expectError(file, "tersor.pruned", "nosuch=0");
    }

    private void expectError(Path good, String key, String value) throws IOException {
        Map<String, String> meta;
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        try (SafetensorsFile f = Safetensors.read(good)) {
            meta = new LinkedHashMap<>(f.metadata());
            for (String n : f.names()) tensors.put(n, f.tensor(n));
        }
        if (value.isEmpty()) meta.remove(key);
        else meta.put(key, value);
        SafetensorsWriter w = new SafetensorsWriter().metadata(meta);
        tensors.forEach(w::add);
        Path bad = dir.resolve("bad.safetensors");
        w.write(bad);
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> CompressedModel.load(bad));
        assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(value.isEmpty() ? "do not fit" : key), e.getMessage());
    }
}
