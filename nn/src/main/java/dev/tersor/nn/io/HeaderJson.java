package dev.tersor.nn.io;

/**
 * The safetensors header dialect of {@link JsonReader}: objects, arrays, strings and integers
 * that fit a {@code long} (fractions, exponents, {@code true}, {@code false} and {@code null}
 * never occur in a header and are rejected), nesting limited to {@link #MAX_DEPTH}, arrays to
 * {@link #MAX_ARRAY_LENGTH} elements and strings to the header size, so a hostile header costs
 * memory in proportion to its (bounded) size and no deep recursion. Errors are
 * {@link SafetensorsFormatException}s at {@code base + offset}, the position in the file.
 */
final class HeaderJson {
    static final int MAX_DEPTH = 64;
    static final int MAX_ARRAY_LENGTH = 1024;
    static final JsonReader.Options OPTIONS = new JsonReader.Options("header", MAX_DEPTH, MAX_ARRAY_LENGTH,
            (int) SafetensorsHeader.MAX_HEADER_BYTES, 1024, true);

    private HeaderJson() {
    }

    /**
     * Parses {@code bytes[0, length)} as one JSON value followed only by whitespace.
     *
     * @param base offset of {@code bytes[0]} in the file, for error messages
     */
    static JsonReader.Value parse(byte[] bytes, int length, String source, long base) {
        try {
            return JsonReader.parse(bytes, length, OPTIONS);
        } catch (JsonFormatException e) {
            throw new SafetensorsFormatException(source, base + e.offset(), e.problem());
        }
    }

    static String quote(String s) {
        return JsonReader.quote(s);
    }
}
