package dev.tersor.compress.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import dev.tersor.compress.convert.CompressedFixtures;
import dev.tersor.compress.prune.PruningPlan;
import dev.tersor.nn.io.Safetensors;
import dev.tersor.nn.io.SafetensorsFile;
import dev.tersor.nn.io.SafetensorsFormatException;
import dev.tersor.nn.io.SafetensorsWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzz targets for the compressed model file's reader: whole files ({@link #load}), its metadata
 * (architecture, layer lists, per-layer schemes, pruning plan) written into an otherwise valid
 * file ({@link #metadata}), and {@link PruningPlan#parse} alone. Contract: a file either loads
 * into a runnable model or fails with a {@link SafetensorsFormatException} with a message; a
 * plan either parses and round-trips through {@link PruningPlan#encode} or fails with an
 * {@link IllegalArgumentException}. Inputs:
 * {@code src/test/resources/dev/tersor/compress/io/CompressedModelFuzzTestInputs/<method>/}.
 */
class CompressedModelFuzzTest {
    /** A 4-bit LeNet-5: its tensors and metadata are what {@link #metadata} mutates. */
    private static SafetensorsFile good;

    @BeforeAll
    static void writeGoodFile() throws IOException {
        Path f = Files.createTempFile("tersor-fuzz", ".safetensors");
        try {
            CompressedModel.save(CompressedFixtures.lenet5(4), "lenet5", "fuzz seed", f);
            good = Safetensors.read(Files.readAllBytes(f), "good");
        } finally {
            Files.delete(f);
        }
    }

    /** Writes the seed of {@link #load} (run with {@code -Dtersor.skipGroups= -Dgroups=fuzz-seeds}, see docs/fuzzing.md). */
    @org.junit.jupiter.api.Test
    @org.junit.jupiter.api.Tag("fuzz-seeds")
    void writeSeed() throws IOException {
        Path dir = Path.of("src/test/resources/dev/tersor/compress/io/CompressedModelFuzzTestInputs/load");
        Files.createDirectories(dir);
        CompressedModel.save(CompressedFixtures.lenet5(4), "lenet5", "fuzz seed", dir.resolve("seed-lenet5-4bit"));
        assertEquals("lenet5", CompressedModel.architecture(Safetensors.read(dir.resolve("seed-lenet5-4bit"))));
    }

    @FuzzTest(maxExecutions = 20_000, maxDuration = "60s")
    void load(byte[] data) {
        try {
            SafetensorsFile f = Safetensors.read(data, "fuzz");
            CompressedModel.load(f);
        } catch (SafetensorsFormatException e) {
            assertTrue(e.getMessage().startsWith("fuzz"), e.getMessage());
        }
    }

    private static final List<String> KEYS = List.of(CompressedModel.MODEL_KEY, CompressedModel.LAYERS_KEY,
            CompressedModel.IDENTITY_KEY, CompressedModel.PRUNED_KEY, CompressedModel.FORMAT_KEY);

    @FuzzTest(maxExecutions = 20_000, maxDuration = "60s")
    void metadata(FuzzedDataProvider in) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(good.metadata());
        List<String> keys = new ArrayList<>(KEYS);
        keys.addAll(meta.keySet().stream().filter(k -> k.startsWith(CompressedModel.LAYER_PREFIX)).toList());
        int changes = in.consumeInt(0, 4);
        for (int i = 0; i < changes; i++) {
            String key = in.pickValue(keys);
            if (in.consumeBoolean()) meta.remove(key);
            else meta.put(in.consumeBoolean() ? key : in.consumeString(40), in.consumeString(200));
        }
        SafetensorsWriter w = new SafetensorsWriter();
        byte[] file;
        try {
            w.metadata(meta);
            String dropped = in.consumeBoolean() ? in.pickValue(good.names()) : null;
            for (String name : good.names()) {
                if (name.equals(dropped)) continue;
                ByteBuffer b = good.bytes(name);
                byte[] copy = new byte[b.remaining()];
                b.get(copy);
                w.add(name, good.dtype(name), good.shape(name), out -> out.write(copy));
            }
            file = w.toByteArray();
        } catch (IllegalArgumentException writerRefused) {
            return;                                     // a name or text the writer does not write: not the reader's input
        }
        try {
            CompressedModel.load(Safetensors.read(file, "fuzz"));
        } catch (SafetensorsFormatException e) {
            assertTrue(e.getMessage().startsWith("fuzz"), e.getMessage());
        }
    }

    @FuzzTest(maxExecutions = 400_000, maxDuration = "60s")
    void pruningPlan(@NotNull String text) {
        PruningPlan plan;
        try {
            plan = PruningPlan.parse(text, 1 << 10);
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage() != null && e.getMessage().contains("pruning plan"), e.getMessage());
            return;
        }
        PruningPlan again = PruningPlan.parse(plan.encode(), 1 << 10);
        assertEquals(plan.keptOutputs().keySet(), again.keptOutputs().keySet());
        plan.keptOutputs().forEach((layer, kept) -> {
            assertArrayEquals(kept, again.keptOutputs().get(layer), layer);
            for (int i = 0; i < kept.length; i++) assertTrue(kept[i] >= 0 && kept[i] < 1 << 10 && (i == 0 || kept[i] > kept[i - 1]), layer);
        });
    }
}
