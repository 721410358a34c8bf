package dev.tersor.cli;

import dev.tersor.nn.sr.Image;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The super-resolution picture people look at: the same window of each image side by side
 * (the HR original when there is one, the bicubic upscale, the model's output), each enlarged
 * by whole pixels (nearest neighbour, so no resampling hides or adds detail) and labelled
 * beneath, e.g. {@code "bicubic x2  28.41 dB"}.
 * <pre>
 * +-----------+-----------+-----------+
 * |  HR crop  |  bicubic  |   model   |   each crop side·zoom pixels square
 * +-----------+-----------+-----------+
 * |   label   |   label   |   label   |   LABEL_HEIGHT
 * +-----------+-----------+-----------+
 * </pre>
 */
final class SrComparison {
    /** Panels are enlarged to at least this many pixels across. */
    static final int MIN_PANEL = 256;
    static final int GAP = 4, LABEL_HEIGHT = 28;

    private SrComparison() {
    }

    /** One panel: its label and the full image it shows a window of. */
    record Panel(String label, Image image) {
    }

    /** The window: {@code size x size} pixels with top-left {@code (left, top)}. */
    record Window(int left, int top, int size) {
        Window {
            if (left < 0 || top < 0 || size < 1) throw new IllegalArgumentException("crop x,y must be >= 0 and its size >= 1, got " + left + "," + top + "," + size);
        }

        /** {@code "X,Y,SIZE"}. */
        static Window parse(String text) {
            String[] p = text.split(",");
            if (p.length != 3) throw new IllegalArgumentException("crop: expected X,Y,SIZE (output pixels), got '" + text + "'");
            try {
                return new Window(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()), Integer.parseInt(p[2].trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("crop: expected three integers X,Y,SIZE, got '" + text + "'");
            }
        }

        /** The centred square of side {@code min(128, height, width)}. */
        static Window centre(int height, int width) {
            int s = Math.min(128, Math.min(height, width));
            return new Window((width - s) / 2, (height - s) / 2, s);
        }
    }

    /** The whole-pixel enlargement that makes a {@code size} window at least {@link #MIN_PANEL} across (at least 1). */
    static int zoom(int size) {
        return Math.max(1, (MIN_PANEL + size - 1) / size);
    }

    /** Draws {@code window} of every panel's image (all the same size) side by side with their labels. */
    static BufferedImage draw(List<Panel> panels, Window w) {
        if (panels.isEmpty()) throw new IllegalArgumentException("nothing to compare");
        Image first = panels.get(0).image();
        for (Panel p : panels) {
            if (p.image().height() != first.height() || p.image().width() != first.width()) {
                throw new IllegalArgumentException(p.label() + " is " + p.image().size() + ", " + panels.get(0).label() + " is " + first.size()
                        + ": the images compared must have the same size");
            }
        }
        if (w.left() + w.size() > first.width() || w.top() + w.size() > first.height()) {
            throw new IllegalArgumentException("crop " + w.size() + "x" + w.size() + " at (x " + w.left() + ", y " + w.top() + ") does not fit in the "
                    + first.size() + " output");
        }
        int z = zoom(w.size()), side = w.size() * z;
        BufferedImage out = new BufferedImage(panels.size() * side + (panels.size() - 1) * GAP, side + LABEL_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, out.getWidth(), out.getHeight());
            for (int i = 0; i < panels.size(); i++) {
                int x0 = i * (side + GAP);
                paint(out, panels.get(i).image().crop(w.top(), w.left(), w.size(), w.size()).rgb(), x0, z);
                label(g, panels.get(i).label(), x0, side, side);
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    /** Draws the panels and writes the PNG atomically. */
    static void write(List<Panel> panels, Window w, Path png) throws IOException {
        BufferedImage img;
        try {
            img = draw(panels, w);
        } catch (Error | RuntimeException e) {
            if (e instanceof IllegalArgumentException) throw e;
            throw Plots.noFonts(e);
        }
        Plots.write(img, png);
    }

    private static void paint(BufferedImage out, Image crop, int x0, int z) {
        for (int y = 0; y < crop.height() * z; y++) {
            for (int x = 0; x < crop.width() * z; x++) {
                int r = crop.get(0, y / z, x / z), gr = crop.get(1, y / z, x / z), b = crop.get(2, y / z, x / z);
                out.setRGB(x0 + x, y, (r << 16) | (gr << 8) | b);
            }
        }
    }

    private static void label(Graphics2D g, String text, int x0, int top, int width) {
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        FontMetrics fm = g.getFontMetrics();
        int tx = x0 + Math.max(2, (width - fm.stringWidth(text)) / 2);
        g.drawString(text, tx, top + (LABEL_HEIGHT + fm.getAscent() - fm.getDescent()) / 2);
    }
}
