package dev.tersor.nn.io;

import java.util.Locale;

/**
 * Writing JSON strings, the one escaping the project's writers share (safetensors headers, the
 * command line's JSON, search files): quotes, backslashes and control characters escaped
 * ({@code \n}, {@code \r}, {@code \t}, else a six-character escape); everything else as it is.
 */
public final class JsonText {
    private JsonText() {
    }

    /** Appends {@code s} as a JSON string literal to {@code sb} and returns {@code sb}. */
    public static StringBuilder appendString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"');
    }

    /** {@code s} as a JSON string literal. */
    public static String quote(String s) {
        return appendString(new StringBuilder(s.length() + 2), s).toString();
    }
}
