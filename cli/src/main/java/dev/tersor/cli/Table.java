package dev.tersor.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table: a header row, a rule, then the rows; text columns left-aligned, numeric
 * ones right-aligned. Widths fit the widest cell.
 * <pre>{@code
 * Table t = new Table(List.of("model", "accuracy"), List.of(false, true));
 * t.add("LeNet-5", "98.90%");
 * System.out.print(t);
 * }</pre>
 */
final class Table {
    private final List<String> headers;
    private final List<Boolean> rightAligned;
    private final List<List<String>> rows = new ArrayList<>();

    /** Columns named {@code headers}; {@code rightAligned.get(i)} for numeric column i. */
    Table(List<String> headers, List<Boolean> rightAligned) {
        if (headers.size() != rightAligned.size()) {
            throw new IllegalArgumentException(headers.size() + " headers but " + rightAligned.size() + " alignments");
        }
        this.headers = List.copyOf(headers);
        this.rightAligned = List.copyOf(rightAligned);
    }

    /** Appends a row of exactly one cell per column. */
    Table add(String... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("a row needs " + headers.size() + " cells, got " + cells.length);
        }
        rows.add(List.of(cells));
        return this;
    }

    @Override
    public String toString() {
        int[] width = new int[headers.size()];
        for (int c = 0; c < width.length; c++) {
            width[c] = headers.get(c).length();
            for (List<String> r : rows) width[c] = Math.max(width[c], r.get(c).length());
        }
        StringBuilder sb = new StringBuilder();
        line(sb, headers, width);
        for (int c = 0; c < width.length; c++) sb.append(c == 0 ? "" : "  ").append("-".repeat(width[c]));
        sb.append('\n');
        for (List<String> r : rows) line(sb, r, width);
        return sb.toString();
    }

    private void line(StringBuilder sb, List<String> cells, int[] width) {
        StringBuilder l = new StringBuilder();
        for (int c = 0; c < width.length; c++) {
            String cell = cells.get(c);
            String pad = " ".repeat(width[c] - cell.length());
            l.append(c == 0 ? "" : "  ").append(rightAligned.get(c) ? pad + cell : cell + pad);
        }
        sb.append(l.toString().stripTrailing()).append('\n');
    }
}
