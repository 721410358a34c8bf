package dev.tersor.cli;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * An accuracy–cost front as a PNG: the points, and the line through those no other point beats on
 * both cost and accuracy. Two uses: compressed models, one point per {@code tersor compress ...
 * --json} result (its last JSON line: {@code method}, {@code accuracy}, {@code file_bytes}) with
 * the float model they came from ({@code float_accuracy}, {@code float_file_bytes}), against file
 * size; and the candidates a search scored, against their MACs.
 */
final class FrontPlot {
    static final Color POINTS = new Color(31, 119, 180), FRONT = new Color(214, 39, 40), FLOAT = new Color(127, 127, 127);

    private FrontPlot() {
    }

    /** One model: its label ({@code "float"} for a float reference), accuracy (a fraction) and cost (the x axis). */
    record Point(String label, double accuracy, double cost) {
    }

    /** The result in {@code json} (the last JSON object line of a compress run's output), and the float model's point. */
    static List<Point> read(Path json) throws IOException {
        List<String> lines = Files.readAllLines(json);
        for (int i = lines.size() - 1; i >= 0; i--) {
            String line = lines.get(i).strip();
            if (!line.startsWith("{")) continue;
            Object parsed;
            try {
                parsed = Json.parse(line);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(json + ": its last JSON line does not parse: " + e.getMessage(), e);
            }
            if (!(parsed instanceof Map<?, ?> m) || !(m.get("accuracy") instanceof Double acc) || !(m.get("file_bytes") instanceof Double bytes)) {
                throw new IllegalArgumentException(json + " is not a compress result (no numeric 'accuracy' and 'file_bytes')");
            }
            List<Point> out = new ArrayList<>();
            out.add(new Point(String.valueOf(m.get("method")), acc, bytes / 1024));
            if (m.get("float_accuracy") instanceof Double fa && m.get("float_file_bytes") instanceof Double fb) {
                out.add(new Point("float", fa, fb / 1024));
            }
            return out;
        }
        throw new IllegalArgumentException(json + " holds no JSON line (write it with 'tersor compress ... --json > F')");
    }

    /** The points no other beats: smaller or equal size with higher accuracy, or smaller size with equal accuracy; by size. */
    static List<Point> front(List<Point> points) {
        List<Point> sorted = new ArrayList<>(points);
        sorted.sort(Comparator.comparingDouble(Point::cost).thenComparing(Comparator.comparingDouble(Point::accuracy).reversed()));
        List<Point> front = new ArrayList<>();
        double best = Double.NEGATIVE_INFINITY;
        for (Point p : sorted) {
            if (p.accuracy() > best) {
                front.add(p);
                best = p.accuracy();
            }
        }
        return front;
    }

    /** Draws compressed models' {@code points} (float models grey) against file size, every point labelled. */
    static void draw(List<Point> points, String title, Path png) throws IOException {
        draw(points, title, "file size (KB, log scale)", "test accuracy (%)", true, png);
    }

    /** Draws {@code points} and their front against {@code xTitle} (log scale); {@code labelAll} false labels the front only. */
    static void draw(List<Point> points, String title, String xTitle, String yTitle, boolean labelAll, Path png) throws IOException {
        if (points.isEmpty()) throw new IllegalArgumentException("no results to plot");
        System.setProperty("java.awt.headless", "true");
        try {
            XYChart c = new XYChartBuilder().width(2 * Plots.PANEL_WIDTH).height(Plots.HEIGHT + 120).title(title)
                    .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
            c.getStyler().setXAxisLogarithmic(true);
            c.getStyler().setXAxisLogarithmicDecadeOnly(false);
            c.getStyler().setChartBackgroundColor(Color.WHITE).setPlotBackgroundColor(Color.WHITE).setAntiAlias(false);
            List<Point> compressed = points.stream().filter(p -> !p.label().equals("float")).toList();
            List<Point> floats = points.stream().filter(p -> p.label().equals("float")).distinct().toList();
            series(c, "front", front(points), FRONT, XYSeries.XYSeriesRenderStyle.Line);
            series(c, "compressed", compressed, POINTS, XYSeries.XYSeriesRenderStyle.Scatter);
            series(c, "float", floats, FLOAT, XYSeries.XYSeriesRenderStyle.Scatter);
            double lo = points.stream().mapToDouble(Point::accuracy).min().orElse(0), hi = points.stream().mapToDouble(Point::accuracy).max().orElse(1);
            double above = Math.max(0.03 * 100 * (hi - lo), 0.01);   // labels just above their points
            for (Point p : (labelAll ? points : front(points)).stream().distinct().toList()) {
                c.addAnnotation(new org.knowm.xchart.AnnotationText(p.label(), p.cost(), 100 * p.accuracy() + above, false));
            }
            Plots.write(BitmapEncoder.getBufferedImage(c), png);
        } catch (Error | RuntimeException e) {
            if (e instanceof IllegalArgumentException) throw e;
            throw Plots.noFonts(e);
        }
    }

    private static void series(XYChart c, String name, List<Point> pts, Color color, XYSeries.XYSeriesRenderStyle style) {
        if (pts.isEmpty()) return;
        XYSeries s = c.addSeries(name, pts.stream().map(Point::cost).toList(), pts.stream().map(p -> 100 * p.accuracy()).toList());
        s.setXYSeriesRenderStyle(style);
        s.setLineColor(color);
        s.setMarkerColor(color);
        s.setMarker(SeriesMarkers.CIRCLE);
    }
}
