package dev.tersor.cli;

import dev.tersor.nn.sr.Bicubic;
import dev.tersor.nn.sr.Image;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The {@code --scale} of {@code eval --task sr} and {@code upscale}: an integer, or for a model that
 * takes any scale (meta-edsr) a decimal number such as 2.5. Parsed strictly: digits with at most
 * one decimal point between digits ({@code 2}, {@code 2.0}, {@code 3.3}); {@code 2.5x}, {@code .5},
 * {@code 1e1} and {@code NaN} are usage errors. An integer-valued decimal ({@code 2.0}) is that integer.
 *
 * @param value the factor
 * @param text  how it was written, trailing zeros dropped (for messages)
 */
record SrScale(double value, String text) {
    private static final Pattern NUMBER = Pattern.compile("[0-9]+(\\.[0-9]+)?");

    /** {@code text} as a scale; null stays null. */
    static SrScale parse(CommandLine cl, String text) {
        if (text == null) return null;
        if (!NUMBER.matcher(text).matches()) {
            throw new ParameterException(cl, "--scale '" + text + "': expected a number such as 2, 2.5 or 3.3");
        }
        return new SrScale(Double.parseDouble(text), new java.math.BigDecimal(text).stripTrailingZeros().toPlainString());
    }

    /** An integer scale. */
    static SrScale of(int scale) {
        return new SrScale(scale, Integer.toString(scale));
    }

    /** Whether the value is an integer ({@code 2}, {@code 2.0}) that fits an {@code int}. */
    boolean isInteger() {
        return value == (int) value;
    }

    /** The integer value ({@link #isInteger} first). */
    int intValue() {
        if (!isInteger()) throw new IllegalStateException("--scale " + text + " is not an integer");
        return (int) value;
    }

    /** {@code "2"} for an integer, else {@link #text} ({@code "2.5"}): for {@code x2}-style labels. */
    String label() {
        return isInteger() ? Integer.toString((int) value) : text;
    }

    /** The number for JSON: an {@link Integer} for an integer scale, else the {@link Double}. */
    Object json() {
        return isInteger() ? (Object) (int) value : (Object) value;
    }

    /** The bicubic upscale of {@code lr}: {@link Bicubic#upscale} by an integer, else {@link Bicubic#resize} to {@code ⌊s·H⌋ × ⌊s·W⌋}. */
    Image bicubic(Image lr) {
        return isInteger() ? Bicubic.upscale(lr, (int) value) : Bicubic.resize(lr, out(lr.height()), out(lr.width()));
    }

    /** The output side of an input side {@code in}: {@code ⌊s·in⌋} (for an integer {@code s·in}). */
    int out(int in) {
        return isInteger() ? Math.multiplyExact((int) value, in) : (int) Math.floor(value * in);
    }
}
