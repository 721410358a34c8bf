package dev.tersor.nn.io;

/**
 * A safetensors file (or byte array, or stream) that breaks the format. The message names the
 * source, the byte offset from the start of the file when one applies, and what was expected:
 *
 * <pre>
 * model.safetensors: at byte 24: tensor "fc.weight" (F32 [2, 3]) needs 24 bytes but data_offsets [0, 20] span 20
 * </pre>
 */
public final class SafetensorsFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final long offset;

    /**
     * @param source the file name or other description of where the bytes came from
     * @param offset byte offset from the start of the file, or -1 when no single offset applies
     * @param problem what is wrong and what was expected
     */
    public SafetensorsFormatException(String source, long offset, String problem) {
        super(source + ": " + (offset >= 0 ? "at byte " + offset + ": " : "") + problem);
        this.source = source;
        this.offset = offset;
    }

    /** Where the bytes came from (a file name, or a name given by the caller). */
    public String source() {
        return source;
    }

    /** Byte offset from the start of the file, or -1 when the problem has no single offset. */
    public long offset() {
        return offset;
    }
}
