package dev.tersor.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.Generator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchitectureTest {
    private final ChainSpace space = ChainSpace.fashionTiny();

    @Test
    void jsonRoundTripsEveryArchitectureOfTheTinySpace() {
        assertEquals(256, space.size().intValue());
        for (int code = 0; code < 256; code++) {
            Architecture a = new Architecture(space.name(), List.of(code & 3, (code >> 2) & 3, (code >> 4) & 3, (code >> 6) & 3));
            Architecture back = Architecture.fromJson(a.toJson(space), space, "test");
            assertEquals(a, back);
            assertEquals(a.hashCode(), back.hashCode());
        }
    }

    @Test
    void jsonHasTheOpNames() {
        Architecture a = new Architecture(space.name(), List.of(0, 3, 1, 2));
        assertEquals("{\"space\": \"fashion-chain-4x4\", \"ops\": [0, 3, 1, 2], \"op_names\": [\"conv_3x3\", \"skip_connect\", \"conv_5x5\", \"sep_conv_5x5\"]}",
                a.toJson(space));
    }

    @Test
    void fileRoundTrip(@TempDir Path dir) throws Exception {
        Architecture a = space.random(new Generator(3));
        Path f = dir.resolve("arch.json");
        a.write(f, space);
        assertEquals(a, Architecture.read(f, space));
    }

    @Test
    void mismatchedFilesNameWhy(@TempDir Path dir) throws Exception {
        assertMessage("is for search space 'other', not 'fashion-chain-4x4'", "{\"space\": \"other\", \"ops\": [0, 0, 0, 0]}");
        assertMessage("has 3 op indices, search space 'fashion-chain-4x4' has 4 choices", "{\"space\": \"fashion-chain-4x4\", \"ops\": [0, 0, 0]}");
        assertMessage("choice 2 (layers.2) has op index 4, but it has only 4 candidates [conv_3x3, conv_5x5, sep_conv_5x5, skip_connect]",
                "{\"space\": \"fashion-chain-4x4\", \"ops\": [0, 0, 4, 0]}");
        assertMessage("choice 1 (layers.1) has op index 3, which is 'skip_connect' in search space 'fashion-chain-4x4', but op_names says 'conv_3x3'",
                "{\"space\": \"fashion-chain-4x4\", \"ops\": [0, 3, 0, 0], \"op_names\": [\"conv_3x3\", \"conv_3x3\", \"conv_3x3\", \"conv_3x3\"]}");
        assertMessage("ops[1]: expected an integer, got 1.5", "{\"space\": \"fashion-chain-4x4\", \"ops\": [0, 1.5, 0, 0]}");
        assertMessage("unknown member 'opz'", "{\"space\": \"fashion-chain-4x4\", \"opz\": [0]}");
        assertMessage("missing member 'ops'", "{\"space\": \"fashion-chain-4x4\"}");
        assertMessage("invalid JSON at byte 43: unexpected 'x' after the end of the JSON value", "{\"space\": \"fashion-chain-4x4\", \"ops\": [0]} x");
        assertMessage("duplicate key \"ops\"", "{\"space\": \"fashion-chain-4x4\", \"ops\": [0], \"ops\": [0]}");
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "{\"space\": \"fashion-chain-4x4\", \"ops\": [0, 0, 0, -1]}");
        var e = assertThrows(IllegalArgumentException.class, () -> Architecture.read(f, space));
        assertTrue(e.getMessage().startsWith(f + ": ops[3] is -1"), e.getMessage());
    }

    private void assertMessage(String part, String json) {
        var e = assertThrows(IllegalArgumentException.class, () -> Architecture.fromJson(json, space, "arch.json"));
        assertTrue(e.getMessage().startsWith("arch.json: ") && e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void opNamesParseBack() {
        for (String n : List.of("conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "max_pool_3x3", "avg_pool_3x3", "skip_connect", "none",
                "binary_conv_3x3", "adder_conv_3x3", "shift_conv_3x3")) {
            assertEquals(n, OpSpec.parse(n).name());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> OpSpec.parse("conv_4x4"));
        assertTrue(e.getMessage().contains("odd"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OpSpec.parse("conv_3x5"));
        assertThrows(IllegalArgumentException.class, () -> OpSpec.parse("lstm"));
    }
}
