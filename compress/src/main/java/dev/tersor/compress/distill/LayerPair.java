package dev.tersor.compress.distill;

/**
 * A student layer whose output learns from a teacher layer's output, both by dotted path.
 *
 * @param student the student module's path, e.g. {@code "conv2"}
 * @param teacher the teacher module's path, e.g. {@code "layer2"}
 * @param kind    how the two outputs are compared
 * @param weight  the loss term's weight (≥ 0)
 */
public record LayerPair(String student, String teacher, Kind kind, double weight) {
    /** How a pair's outputs are compared. */
    public enum Kind {
        /** {@link AttentionTransfer}: spatial attention maps; channels may differ. */
        ATTENTION,
        /** FitNets-style hint: mean squared error of the raw outputs; shapes must be equal. */
        HINT
    }

    public LayerPair {
        if (student == null || student.isBlank()) throw new IllegalArgumentException("LayerPair: the student layer path is empty");
        if (teacher == null || teacher.isBlank()) throw new IllegalArgumentException("LayerPair: the teacher layer path is empty");
        if (kind == null) throw new IllegalArgumentException("LayerPair: kind is null");
        if (!(weight >= 0 && Double.isFinite(weight))) throw new IllegalArgumentException("LayerPair " + student + "=" + teacher + ": weight must be finite and >= 0, got " + weight);
    }

    /** An attention-transfer pair with {@link AttentionTransfer#DEFAULT_WEIGHT}. */
    public static LayerPair attention(String student, String teacher) {
        return new LayerPair(student, teacher, Kind.ATTENTION, AttentionTransfer.DEFAULT_WEIGHT);
    }

    /** Parses {@code "student=teacher"} (one path for both when there is no '='). */
    public static LayerPair parse(String spec, Kind kind, double weight) {
        String[] kv = spec.split("=", -1);
        if (kv.length > 2) throw new IllegalArgumentException("layer pair '" + spec + "' is not STUDENT=TEACHER (e.g. conv2=layer1)");
        return new LayerPair(kv[0].trim(), kv[kv.length - 1].trim(), kind, weight);
    }

    @Override
    public String toString() {
        return student + "=" + teacher;
    }
}
