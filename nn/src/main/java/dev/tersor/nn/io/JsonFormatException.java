package dev.tersor.nn.io;

/**
 * Text that {@link JsonReader} rejects: not JSON, or JSON outside the limits or the dialect
 * asked for. The message is {@code "at byte N: problem"}, N counted from the first parsed byte.
 */
public final class JsonFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final int offset;
    private final String problem;

    /**
     * @param offset byte offset of the problem within the parsed bytes
     * @param problem what is wrong and what was expected
     */
    public JsonFormatException(int offset, String problem) {
        super("at byte " + offset + ": " + problem);
        this.offset = offset;
        this.problem = problem;
    }

    /** Byte offset of the problem within the parsed bytes. */
    public int offset() {
        return offset;
    }

    /** What is wrong and what was expected, without the offset. */
    public String problem() {
        return problem;
    }
}
