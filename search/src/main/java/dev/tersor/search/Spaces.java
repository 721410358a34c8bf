package dev.tersor.search;

import java.util.List;

/** The search spaces Tersor ships, by name. */
public final class Spaces {
    private Spaces() {
    }

    /** The names {@link #named} knows. */
    public static List<String> names() {
        return List.of("fashion-chain-4x4", "fashion-cell-3");
    }

    /** The space called {@code name} (also {@code fashion-tiny} for {@code fashion-chain-4x4}); an unknown name lists the known ones. */
    public static SearchSpace named(String name) {
        return switch (name == null ? "" : name) {
            case "fashion-chain-4x4", "fashion-tiny" -> ChainSpace.fashionTiny();
            case "fashion-cell-3" -> CellSpace.fashionCell();
            default -> throw new IllegalArgumentException("unknown search space '" + name + "': expected one of " + names());
        };
    }
}
