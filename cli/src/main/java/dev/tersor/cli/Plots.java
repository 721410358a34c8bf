package dev.tersor.cli;

import dev.tersor.nn.sr.BicubicBaseline;
import dev.tersor.nn.sr.SrTrainer;
import dev.tersor.nn.train.EpochMetrics;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Training curves as one PNG (XChart, drawn headless): three panels side by side, loss (train,
 * validation), accuracy (train, validation, test) and learning rate, per epoch (for a
 * super-resolution run: L1 loss, validation PSNR-Y beside bicubic's, learning rate). Series with
 * no finite value (no validation split, no per-epoch test score) are left out. The same metrics
 * give the same bytes.
 * <pre>{@code
 * Plots.curves(history, "lenet5 on mnist", Path.of("curves.png"));
 * Plots.curves(Plots.readMetrics(Path.of("metrics.json")), "run", Path.of("curves.png"));
 * }</pre>
 */
final class Plots {
    static final int PANEL_WIDTH = 520, HEIGHT = 380;
    /** Series colours: train, validation, test, learning rate. */
    static final Color TRAIN = new Color(31, 119, 180), VALIDATION = new Color(255, 127, 14), TEST = new Color(44, 160, 44),
            LR = new Color(148, 103, 189);

    private Plots() {
    }

    /** Writes the three panels of {@code history} to {@code png} (atomically), titled {@code title}. */
    static void curves(List<EpochMetrics> history, String title, Path png) throws IOException {
        draw(title, history, EpochMetrics::epoch, List.of(
                new Panel<>("loss", "loss", List.of(new Line<>("train", TRAIN, EpochMetrics::trainLoss),
                        new Line<>("validation", VALIDATION, EpochMetrics::validationLoss))),
                new Panel<>("accuracy", "accuracy (%)", List.of(new Line<>("train", TRAIN, m -> 100 * m.trainAccuracy()),
                        new Line<>("validation", VALIDATION, m -> 100 * m.validationAccuracy()),
                        new Line<>("test", TEST, m -> 100 * m.testAccuracy()))),
                new Panel<>("learning rate", "learning rate (end of epoch)", List.of(new Line<>("lr", LR, EpochMetrics::lr)))), png);
    }

    /**
     * The curves of a super-resolution run ({@code train --task sr}): its L1 loss, the validation
     * images' Y PSNR beside the bicubic baseline's ({@code bicubic} null: none), and the learning
     * rate, per epoch.
     */
    static void srCurves(List<SrTrainer.Epoch> history, BicubicBaseline.Score bicubic, String title, Path png) throws IOException {
        double base = bicubic == null ? Double.NaN : bicubic.psnrY();
        draw(title, history, SrTrainer.Epoch::epoch, List.of(
                new Panel<>("L1 loss", "L1 loss (8-bit units)", List.of(new Line<>("train", TRAIN, SrTrainer.Epoch::trainLoss))),
                new Panel<>("validation PSNR-Y", "PSNR-Y (dB)", List.of(new Line<>("model", VALIDATION, SrTrainer.Epoch::validationPsnrY),
                        new Line<>("bicubic", TEST, e -> Double.isNaN(e.validationPsnrY()) ? Double.NaN : base))),
                new Panel<>("learning rate", "learning rate (end of epoch)", List.of(new Line<>("lr", LR, SrTrainer.Epoch::lr)))), png);
    }

    /** One line of a panel: its name, its colour and the value it draws for an epoch (not finite: no point). */
    record Line<M>(String name, Color color, ToDoubleFunction<M> value) {
    }

    /** One panel: its title (after the run's), its y axis and its lines. */
    record Panel<M>(String title, String yAxis, List<Line<M>> lines) {
    }

    /** Draws {@code panels} side by side over the epochs of {@code history} into {@code png} (atomically). */
    private static <M> void draw(String title, List<M> history, ToIntFunction<M> epoch, List<Panel<M>> panels, Path png) throws IOException {
        if (history.isEmpty()) throw new IllegalArgumentException("no epochs to plot");
        System.setProperty("java.awt.headless", "true");
        BufferedImage out = new BufferedImage(panels.size() * PANEL_WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        try {
            List<XYChart> charts = new ArrayList<>();
            for (Panel<M> p : panels) {
                XYChart c = panel(title + ": " + p.title(), p.yAxis());
                for (Line<M> l : p.lines()) add(c, l.name(), history, epoch, l.value(), l.color());
                charts.add(c);
            }
            Graphics2D g = out.createGraphics();
            try {
                int x = 0;
                for (XYChart c : charts) {
                    g.drawImage(BitmapEncoder.getBufferedImage(c), x, 0, null);
                    x += PANEL_WIDTH;
                }
            } finally {
                g.dispose();
            }
        } catch (Error | RuntimeException e) {
            if (e instanceof IllegalArgumentException) throw e;
            throw noFonts(e);
        }
        write(out, png);
    }

    /** What a failure to draw most likely means: a JDK without fonts (fontconfig and a font package) cannot draw text. */
    static IOException noFonts(Throwable e) {
        return new IOException("cannot draw the chart (" + e + "); on Debian, 'apt-get install fontconfig fonts-dejavu-core' gives the JDK its fonts", e);
    }

    /** Writes {@code out} as a PNG to {@code png}, atomically. */
    static void write(BufferedImage out, Path png) throws IOException {
        Path abs = png.toAbsolutePath();
        Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp");
        try {
            if (!ImageIO.write(out, "png", tmp.toFile())) throw new IOException("no PNG writer in this JDK");
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static XYChart panel(String title, String yAxis) {
        XYChart c = new XYChartBuilder().width(PANEL_WIDTH).height(HEIGHT).title(title).xAxisTitle("epoch").yAxisTitle(yAxis).build();
        c.getStyler().setChartBackgroundColor(Color.WHITE).setPlotBackgroundColor(Color.WHITE).setLegendVisible(true)
                .setAntiAlias(false);   // exact colours for the tests; a 520-pixel panel needs no smoothing
        c.getStyler().setXAxisDecimalPattern("0");
        return c;
    }

    /** Adds the finite values of {@code f} as a line with markers; nothing when there are none. */
    private static <M> void add(XYChart chart, String name, List<M> history, ToIntFunction<M> epoch, ToDoubleFunction<M> f, Color color) {
        List<Double> x = new ArrayList<>(), y = new ArrayList<>();
        for (M m : history) {
            double v = f.applyAsDouble(m);
            if (Double.isFinite(v)) {
                x.add((double) epoch.applyAsInt(m));
                y.add(v);
            }
        }
        if (x.isEmpty()) return;
        XYSeries s = chart.addSeries(name, x, y);
        s.setLineColor(color);
        s.setMarkerColor(color);
        s.setMarker(SeriesMarkers.CIRCLE);
    }

    /**
     * The epochs of a metrics file written by {@code train --metrics-json} (an array of objects
     * with {@code epoch}, {@code train_loss}, ...; a missing or null value reads as NaN).
     */
    static List<EpochMetrics> readMetrics(Path json) throws IOException {
        Object parsed;
        try {
            parsed = Json.parse(Files.readString(json));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(json + " is not JSON: " + e.getMessage(), e);
        }
        if (!(parsed instanceof List<?> rows)) throw new IllegalArgumentException(json + " is not a metrics file (a JSON array of epochs)");
        List<EpochMetrics> out = new ArrayList<>();
        for (Object r : rows) {
            if (!(r instanceof Map<?, ?> m) || !(m.get("epoch") instanceof Double e) || e != Math.rint(e) || e < 1) {
                throw new IllegalArgumentException(json + ": entry " + (out.size() + 1) + " is not an epoch object with an integer 'epoch' >= 1: " + r);
            }
            out.add(new EpochMetrics(e.intValue(), num(m, "train_loss"), num(m, "train_accuracy"), num(m, "val_loss"), num(m, "val_accuracy"),
                    num(m, "test_accuracy"), num(m, "epoch_seconds"), num(m, "samples_per_second"), num(m, "lr")));
        }
        if (out.isEmpty()) throw new IllegalArgumentException(json + " holds no epochs");
        return out;
    }

    private static double num(Map<?, ?> m, String key) {
        return m.get(key) instanceof Double d ? d : Double.NaN;
    }
}
