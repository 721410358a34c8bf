package dev.tersor.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpacesTest {
    @Test
    void namesResolveAndUnknownOnesListTheKnown() {
        assertEquals("fashion-chain-4x4", Spaces.named("fashion-tiny").name());
        assertEquals("fashion-cell-3", Spaces.named("fashion-cell-3").name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Spaces.named("nasbench201"));
        assertTrue(e.getMessage().contains("[fashion-chain-4x4, fashion-cell-3]"), e.getMessage());
    }

    @Test
    void architectureFilesOfEitherSpaceReadBack(@TempDir Path dir) throws IOException {
        CellSpace cell = CellSpace.fashionCell();
        Architecture a = new Architecture(cell.name(), List.of(3, 1, 4));
        Path f = dir.resolve("cell.json");
        a.write(f, cell);
        assertEquals(a, Spaces.readArchitecture(f));
        Architecture c = new Architecture("fashion-chain-4x4", List.of(0, 3, 1, 2));
        assertEquals(c, Spaces.architectureFromJson(c.toJson(ChainSpace.fashionTiny()), "x"));
        // the space it names, checked: four ops for a three-edge cell, an unknown space, a huge file
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Spaces.architectureFromJson("{\"space\": \"fashion-cell-3\", \"ops\": [0, 1, 2, 3]}", "a.json"));
        assertTrue(e.getMessage().contains("a.json") && e.getMessage().contains("3 choices"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Spaces.architectureFromJson("{\"space\": \"other\", \"ops\": [0]}", "b.json"));
        assertTrue(e.getMessage().startsWith("b.json: unknown search space 'other'"), e.getMessage());
        Path big = dir.resolve("big.json");
        Files.write(big, new byte[(1 << 20) + 1]);
        assertTrue(assertThrows(IOException.class, () -> Spaces.readArchitecture(big)).getMessage().contains("too large"));
    }
}
