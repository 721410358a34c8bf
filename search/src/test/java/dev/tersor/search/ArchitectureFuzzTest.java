package dev.tersor.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz targets for the files a search reads back: architecture files ({@code arch.json}, also in
 * weights' {@code tersor.arch}) and trial-log lines. Contract: what is accepted round-trips
 * through the writer to an equal value; anything else is an {@link IllegalArgumentException}
 * naming the source. Regression mode (every build) replays
 * {@code src/test/resources/dev/tersor/search/ArchitectureFuzzTestInputs/<method>/}; docs/fuzzing.md
 * has the fuzzing command.
 */
class ArchitectureFuzzTest {
    private static final ChainSpace SPACE = ChainSpace.fashionTiny();

    @FuzzTest(maxExecutions = 200_000, maxDuration = "30s")
    void architecture(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        Architecture a;
        try {
            a = Architecture.fromJson(text, SPACE, "fuzz");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage() != null && e.getMessage().startsWith("fuzz"), String.valueOf(e.getMessage()));
            return;
        }
        assertEquals(a, Architecture.fromJson(a.toJson(SPACE), SPACE, "written"));
    }

    @FuzzTest(maxExecutions = 200_000, maxDuration = "30s")
    void trialLine(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        Trial t;
        try {
            t = Trial.fromJson(text, SPACE, "fuzz");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage() != null && e.getMessage().startsWith("fuzz"), String.valueOf(e.getMessage()));
            return;
        }
        Trial again = Trial.fromJson(t.toJson(SPACE), SPACE, "written");
        assertEquals(t.arch(), again.arch());
        assertEquals(t.index(), again.index());
        assertEquals(t.origin(), again.origin());
        assertEquals(Double.doubleToLongBits(t.score()) == Double.doubleToLongBits(again.score()) || t.score() == again.score(), true,
                t.score() + " vs " + again.score());
    }
}
