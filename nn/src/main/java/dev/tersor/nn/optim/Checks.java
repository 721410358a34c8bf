package dev.tersor.nn.optim;

import java.util.Map;

/** Validation of hyperparameters and parsing of saved ones; every message names the field. */
final class Checks {
    private Checks() {
    }

    /** {@code value}, which must be finite and {@code >= 0}. */
    static double nonNegative(String owner, String field, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(owner + ": " + field + " must be a finite number >= 0, got " + value);
        }
        return value;
    }

    /** {@code value}, which must lie in [0, 1). */
    static double unitInterval(String owner, String field, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(owner + ": " + field + " must be in [0, 1), got " + value);
        }
        return value;
    }

    /** {@code value}, which must be finite. */
    static double finite(String owner, String field, double value) {
        if (!Double.isFinite(value)) throw new IllegalArgumentException(owner + ": " + field + " must be finite, got " + value);
        return value;
    }

    /** {@code value}, which must be {@code > 0}. */
    static int positive(String owner, String field, int value) {
        if (value <= 0) throw new IllegalArgumentException(owner + ": " + field + " must be > 0, got " + value);
        return value;
    }

    static double doubleOf(Map<String, String> map, String key, String owner) {
        String s = require(map, key, owner);
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(owner + ": '" + key + "' is not a number: '" + s + "'");
        }
    }

    static long longOf(Map<String, String> map, String key, String owner) {
        String s = require(map, key, owner);
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(owner + ": '" + key + "' is not an integer: '" + s + "'");
        }
    }

    static boolean booleanOf(Map<String, String> map, String key, String owner) {
        String s = require(map, key, owner);
        if (s.equals("true")) return true;
        if (s.equals("false")) return false;
        throw new IllegalArgumentException(owner + ": '" + key + "' must be true or false, got '" + s + "'");
    }

    static String require(Map<String, String> map, String key, String owner) {
        String s = map.get(key);
        if (s == null) throw new IllegalArgumentException(owner + ": missing '" + key + "'; present: " + map.keySet());
        return s;
    }
}
