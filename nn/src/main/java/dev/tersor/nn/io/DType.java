package dev.tersor.nn.io;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Element types of a safetensors file, named as in the file header ({@code "F32"}, {@code "BF16"}, ...).
 * Every value is stored little-endian.
 *
 * <pre>{@code
 * DType t = DType.fromName("BF16");   // DType.BF16
 * t.byteSize();                       // 2
 * t.isFloatingPoint();                // true
 * }</pre>
 *
 * Sub-byte types of the format ({@code F4}, {@code F6_*}), {@code F8_E8M0} and complex types
 * are not supported: {@link #fromName} rejects them with the list of supported names.
 */
public enum DType {
    /** IEEE 754 binary32. */
    F32(4, true),
    /** IEEE 754 binary16: 1 sign, 5 exponent, 10 mantissa bits. */
    F16(2, true),
    /** bfloat16: the upper 16 bits of a binary32. */
    BF16(2, true),
    /** IEEE 754 binary64. */
    F64(8, true),
    /** 8-bit float, 4 exponent and 3 mantissa bits, bias 7, no infinities ("E4M3FN"); read only. */
    F8_E4M3(1, true),
    /** 8-bit float, 5 exponent and 2 mantissa bits, bias 15 (the upper byte of an F16); read only. */
    F8_E5M2(1, true),
    /** Signed 8-bit integer. */
    I8(1, false),
    /** Unsigned 8-bit integer. */
    U8(1, false),
    /** Signed 16-bit integer. */
    I16(2, false),
    /** Unsigned 16-bit integer. */
    U16(2, false),
    /** Signed 32-bit integer. */
    I32(4, false),
    /** Unsigned 32-bit integer. */
    U32(4, false),
    /** Signed 64-bit integer. */
    I64(8, false),
    /** Unsigned 64-bit integer. */
    U64(8, false),
    /** One byte per element, 0 is false and anything else true. */
    BOOL(1, false);

    private final int byteSize;
    private final boolean floatingPoint;

    DType(int byteSize, boolean floatingPoint) {
        this.byteSize = byteSize;
        this.floatingPoint = floatingPoint;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** True for the float types, false for the integer types and {@link #BOOL}. */
    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /** The supported names, comma-separated, for error messages. */
    static String validNames() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
    }

    /**
     * The type named {@code name} exactly as in a safetensors header (case-sensitive).
     *
     * @throws IllegalArgumentException for any other name; the message lists the supported ones
     */
    public static DType fromName(String name) {
        for (DType t : values()) {
            if (t.name().equals(name)) return t;
        }
        throw new IllegalArgumentException("unknown dtype \"" + name + "\"; expected one of " + validNames());
    }
}
