package dev.tersor.search;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One network of a search space as a plain value: the space's name and one op index per choice.
 * Equal architectures are equal values (usable as map keys). As JSON ({@link #toJson}):
 * <pre>
 * {"space": "fashion-chain-4x4", "ops": [0, 3, 1, 2], "op_names": ["conv_3x3", "skip_connect", "conv_5x5", "sep_conv_5x5"]}
 * </pre>
 * {@code op_names} is there for people; when reading, it must agree with the space.
 * <pre>{@code
 * Architecture a = Architecture.read(Path.of("arch.json"), space);   // validated against the space
 * Module net = space.build(a);                                         // an ordinary nn model
 * }</pre>
 *
 * @param space the search space's name
 * @param ops   op index per choice
 */
public record Architecture(String space, List<Integer> ops) {
    public Architecture {
        if (space == null || space.isEmpty()) throw new IllegalArgumentException("Architecture: space name must be non-empty");
        if (ops == null || ops.isEmpty()) throw new IllegalArgumentException("Architecture: needs at least one op index");
        ops = List.copyOf(ops);
    }

    /** The op index of choice {@code i}. */
    public int op(int i) {
        return ops.get(i);
    }

    /** A copy with choice {@code i} set to {@code op}. */
    public Architecture with(int i, int op) {
        List<Integer> o = new ArrayList<>(ops);
        o.set(i, op);
        return new Architecture(space, o);
    }

    /** The op indices as a short string, e.g. {@code 0-3-1-2}. */
    public String key() {
        StringBuilder sb = new StringBuilder();
        for (int o : ops) sb.append(sb.length() == 0 ? "" : "-").append(o);
        return sb.toString();
    }

    /** The architecture of {@code space} whose {@link #key()} is {@code key} (e.g. {@code 0-3-1-2}). */
    public static Architecture parseKey(String space, String key) {
        if (key == null || key.isEmpty()) throw new IllegalArgumentException("empty architecture key");
        List<Integer> ops = new java.util.ArrayList<>();
        for (String part : key.split("-", -1)) {
            if (part.isEmpty() || part.length() > 9 || !part.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("architecture key '" + key + "' is not op indices joined by '-' (e.g. 0-3-1-2)");
            }
            ops.add(Integer.parseInt(part));
        }
        return new Architecture(space, ops);
    }

    /** One-line JSON with the op names of {@code space} (which must be this architecture's). */
    public String toJson(SearchSpace searchSpace) {
        List<String> names = searchSpace.opNames(this);
        StringBuilder sb = new StringBuilder("{\"space\": ").append(Json.quote(space)).append(", \"ops\": [");
        for (int i = 0; i < ops.size(); i++) sb.append(i == 0 ? "" : ", ").append(ops.get(i));
        sb.append("], \"op_names\": [");
        for (int i = 0; i < names.size(); i++) sb.append(i == 0 ? "" : ", ").append(Json.quote(names.get(i)));
        return sb.append("]}").toString();
    }

    /** Parses {@link #toJson} output and checks it against {@code searchSpace}; {@code what} names the source in errors. */
    public static Architecture fromJson(String json, SearchSpace searchSpace, String what) {
        Map<String, Object> m = Json.object(Json.parse(json, what), what);
        Architecture a = fromJson(m, what);
        try {
            searchSpace.validate(a);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
        if (m.containsKey("op_names")) {
            List<Object> names = Json.array(m.get("op_names"), what + ": op_names");
            if (names.size() != a.ops.size()) {
                throw new IllegalArgumentException(what + ": op_names has " + names.size() + " entries but ops has " + a.ops.size());
            }
            List<String> expected = searchSpace.opNames(a);
            for (int i = 0; i < names.size(); i++) {
                String n = Json.string(names.get(i), what + ": op_names[" + i + "]");
                if (!n.equals(expected.get(i))) {
                    throw new IllegalArgumentException(what + ": choice " + i + " (" + searchSpace.choices().get(i).name() + ") has op index "
                            + a.op(i) + ", which is '" + expected.get(i) + "' in search space '" + searchSpace.name() + "', but op_names says '"
                            + n + "'");
                }
            }
        }
        return a;
    }

    /** Reads the members {@code space} and {@code ops} of a parsed object (no space check). */
    static Architecture fromJson(Map<String, Object> m, String what) {
        for (String k : m.keySet()) {
            if (!k.equals("space") && !k.equals("ops") && !k.equals("op_names")) {
                throw new IllegalArgumentException(what + ": unknown member '" + k + "' (expected space, ops, op_names)");
            }
        }
        String space = Json.string(Json.member(m, "space", what), what + ": space");
        if (space.isEmpty()) throw new IllegalArgumentException(what + ": space is empty");
        List<Object> raw = Json.array(Json.member(m, "ops", what), what + ": ops");
        List<Integer> ops = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            long v = Json.integer(raw.get(i), what + ": ops[" + i + "]");
            if (v < 0 || v > Integer.MAX_VALUE) throw new IllegalArgumentException(what + ": ops[" + i + "] is " + v + ", expected an index >= 0");
            ops.add((int) v);
        }
        if (ops.isEmpty()) throw new IllegalArgumentException(what + ": ops is empty");
        return new Architecture(space, ops);
    }

    /** Writes {@link #toJson} to {@code path} atomically (a temporary file, then a rename). */
    public void write(Path path, SearchSpace searchSpace) throws IOException {
        AtomicFiles.write(path, toJson(searchSpace) + "\n");
    }

    /** Reads and validates an architecture file against {@code searchSpace}; errors name the file. */
    public static Architecture read(Path path, SearchSpace searchSpace) throws IOException {
        return fromJson(Files.readString(path), searchSpace, path.toString());
    }

    @Override
    public String toString() {
        return space + "[" + key() + "]";
    }
}
