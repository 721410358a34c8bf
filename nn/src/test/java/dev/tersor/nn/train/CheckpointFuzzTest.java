package dev.tersor.nn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.Sequential;
import dev.tersor.nn.optim.Adam;
import dev.tersor.nn.optim.StepLr;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target for reading training checkpoints ({@link Checkpoint#load}, which sits on the
 * safetensors reader) into a small model with Adam and a step schedule. Contract: a checkpoint
 * either loads (and saving what loaded, then loading that, gives the same weights and history) or fails with an
 * {@link IllegalArgumentException} (a {@code SafetensorsFormatException} is one) or an
 * {@link UncheckedIOException}, with a message. Inputs:
 * {@code src/test/resources/dev/tersor/nn/train/CheckpointFuzzTestInputs/load/}.
 */
class CheckpointFuzzTest {
    private static Path file, again;

    @BeforeAll
    static void createFile() throws IOException {
        file = Files.createTempFile("tersor-fuzz", ".ckpt");
        again = Files.createTempFile("tersor-fuzz-again", ".ckpt");
    }

    @AfterAll
    static void deleteFile() throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(again);
    }

    /** The model, optimizer and schedule every checkpoint in the inputs was written for. */
    static Module model() {
        return new Sequential(new Linear(2, 3), new Linear(3, 2));
    }

    @FuzzTest(maxExecutions = 200_000, maxDuration = "60s")
    void load(byte[] data) throws IOException {
        Files.write(file, data);
        Module model = model();
        Adam adam = new Adam(model.parameters(), Adam.options().lr(0.01).build());
        StepLr schedule = new StepLr(adam, 2, 0.5);
        try {
            List<EpochMetrics> history = Checkpoint.load(file, model, adam, schedule);
            Checkpoint.save(again, model, adam, schedule, history.size(), history);     // what loaded round-trips
            Module other = model();
            Adam otherAdam = new Adam(other.parameters(), Adam.options().lr(0.01).build());
            assertEquals(history, Checkpoint.load(again, other, otherAdam, new StepLr(otherAdam, 2, 0.5)));
            var expected = model.stateDict();
            other.stateDict().forEach((k, t) -> assertArrayEquals(expected.get(k).toArray(), t.toArray(), k));
        } catch (IllegalArgumentException | UncheckedIOException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), e.toString());
        }
    }

    /** Writes the seed input (run with {@code -Dtersor.skipGroups= -Dgroups=fuzz-seeds}, see docs/fuzzing.md). */
    @Test
    @org.junit.jupiter.api.Tag("fuzz-seeds")
    void writeSeed() throws IOException {
        Module model = model();
        Adam adam = new Adam(model.parameters(), Adam.options().lr(0.01).build());
        StepLr schedule = new StepLr(adam, 2, 0.5);
        Path ckpt = Files.createTempFile("seed", ".ckpt");
        List<EpochMetrics> history = List.of(new EpochMetrics(1, 0.5, 0.75, Double.NaN, Double.NaN, Double.NaN, 1.5, 100, 0.01));
        Checkpoint.save(ckpt, model, adam, schedule, 1, history, java.util.Map.of("model", "tiny"));
        Path dir = Path.of("src/test/resources/dev/tersor/nn/train/CheckpointFuzzTestInputs/load");
        Files.createDirectories(dir);
        Files.move(ckpt, dir.resolve("seed-one-epoch"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals(history, Checkpoint.load(dir.resolve("seed-one-epoch"), model(), new Adam(model().parameters(),
                Adam.options().lr(0.01).build()), null));
    }
}
