package dev.tersor.cli;

import static dev.tersor.cli.MainTest.json;
import static dev.tersor.cli.MainTest.number;
import static dev.tersor.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.cli.MainTest.Run;
import dev.tersor.nn.Summary;
import dev.tersor.nn.zoo.Zoo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code tersor profile}: per-layer rows with each layer's MACs, shares that add up, backward on request. */
class ProfileCommandTest {
    @Test
    void lenet5RowsAndTotals() {
        Run r = run("profile", "--model", "lenet5", "--batch", "2", "--warmup", "1", "--warmup-seconds", "0", "--iterations", "2", "--threads", "1", "--backward", "--json");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = json(r.lastLine());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> layers = (List<Map<String, Object>>) j.get("layers");
        assertEquals(List.of("", "conv1", "conv2", "fc1", "fc2", "fc3"), layers.stream().map(l -> l.get("path")).toList());
        long macs = 2 * Summary.of(Zoo.create("lenet5"), 1, 28, 28).totalMacs();
        assertEquals((double) macs, number(j, "macs"));
        assertEquals((double) macs, layers.stream().mapToDouble(l -> number(l, "macs")).sum());
        assertEquals(1.0, layers.stream().mapToDouble(l -> number(l, "forward_share")).sum(), 0.01, "shares of the rows");
        for (Map<String, Object> l : layers) assertTrue(l.containsKey("backward_ms"), l.toString());
        assertTrue(number(j, "backward_ms") > 0);

        Run text = run("profile", "--model", "lenet5", "--warmup", "0", "--warmup-seconds", "0", "--iterations", "1", "--threads", "1");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("(lenet5 itself)") && text.out().contains("conv2") && text.out().contains("total: forward"), text.out());
        assertFalse(text.out().contains("backward"), "no backward columns without --backward");
    }

    @Test
    void badSettingsAreNamed() {
        Run it = run("profile", "--model", "lenet5", "--iterations", "0");
        assertEquals(2, it.code());
        assertTrue(it.err().contains("--iterations >= 1"), it.err());
        Run b = run("profile", "--model", "lenet5", "--batch", "0");
        assertTrue(b.err().contains("--batch must be >= 1, got 0"), b.err());
        Run w = run("profile", "--model", "lenet5", "--warmup-seconds", "-1");
        assertEquals(2, w.code());
        assertTrue(w.err().contains("--warmup-seconds must be a finite number >= 0, got -1.0"), w.err());
    }
}
