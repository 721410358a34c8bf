package dev.tersor.search;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** The architecture in JSON {@code json}, checked against the space it names; {@code what} names the source in errors. */
    public static Architecture architectureFromJson(String json, String what) {
        String name = Architecture.fromJson(Json.object(Json.parse(json, what), what), what).space();
        SearchSpace space;
        try {
            space = named(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
        return Architecture.fromJson(json, space, what);
    }

    /** The architecture file {@code path} (at most 1 MiB), checked against the space it names. */
    public static Architecture readArchitecture(Path path) throws IOException {
        long size = Files.size(path);
        if (size > 1 << 20) throw new IOException(path + ": " + size + " bytes is too large for an architecture file (at most 1 MiB)");
        return architectureFromJson(Files.readString(path), path.toString());
    }
}
