package dev.tersor.compress.io;

import static org.junit.jupiter.api.Assertions.fail;

import dev.tersor.compress.convert.CompressedFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutations of a compressed file (bytes flipped in the header and the data, truncation):
 * loading either succeeds or throws an IllegalArgumentException (SafetensorsFormatException is
 * one) or an IOException, never another exception. A real fuzzing campaign is the reliability
 * work's; this keeps the contract from regressing.
 */
class CompressedModelMutationTest {
    @TempDir
    Path dir;

    @Test
    void mutatedFilesFailWithTheDocumentedExceptionsOnly() throws Exception {
        Path good = dir.resolve("good.safetensors");
        CompressedModel.save(CompressedFixtures.lenet5(4), "lenet5", "mutation test", good);
        byte[] bytes = Files.readAllBytes(good);
        long header = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0);
        Random rnd = new Random(2026);
        Path bad = dir.resolve("bad.safetensors");
        for (int round = 0; round < 300; round++) {
            byte[] m = bytes.clone();
            int kind = round % 3;
            if (kind == 2) {
                m = java.util.Arrays.copyOf(m, rnd.nextInt(m.length));
            } else {
                int flips = 1 + rnd.nextInt(4);
                for (int f = 0; f < flips; f++) {
                    int at = kind == 0 ? 8 + rnd.nextInt((int) header) : rnd.nextInt(m.length);
                    m[at] = (byte) (kind == 0 ? " ,:\"0123456789[]{}abcdefghijklmnopqrstuvwxyz.".charAt(rnd.nextInt(45)) : rnd.nextInt(256));
                }
            }
            Files.write(bad, m);
            try {
                CompressedModel.load(bad);
            } catch (IllegalArgumentException | java.io.IOException expected) {
                // the documented failures
            } catch (RuntimeException e) {
                fail("round " + round + " (" + (kind == 0 ? "header" : kind == 1 ? "anywhere" : "truncated") + "): " + e, e);
            }
        }
    }
}
