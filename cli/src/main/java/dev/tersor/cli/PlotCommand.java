package dev.tersor.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tersor plot METRICS.json --out curves.png}: the training curves of a run's metrics file
 * ({@code train --metrics-json}) as one PNG, loss, accuracy and learning rate per epoch
 * ({@link Plots}); {@code tersor plot --front R1.json R2.json ... --out front.png}: the
 * accuracy–size front of compress results ({@link FrontPlot}).
 */
@Command(name = "plot", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Draw a run's training curves (loss, accuracy, learning rate per epoch) from its --metrics-json file as a PNG,",
            "or with --front the accuracy-size front of 'tersor compress ... --json' results."})
final class PlotCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", arity = "1..*",
            description = "Metrics written by 'tersor train --metrics-json' (one), or with --front the --json outputs of compress runs.")
    List<Path> files;

    @Option(names = "--front", description = "Plot accuracy against file size of compressed models, with their float model and the front.")
    boolean front;

    @Option(names = "--out", required = true, paramLabel = "F.png", description = "Where the PNG goes.")
    Path out;

    @Option(names = "--title", paramLabel = "T", description = "Title of the panels (default: the metrics file's name).")
    String title;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        for (Path f : files) Models.existingFile(cl, "FILE", f);
        if (!front && files.size() != 1) throw new ParameterException(cl, "training curves take one metrics file, got " + files.size() + " (or add --front)");
        Models.outputFile(cl, "--out", out);
        try {
            if (front) {
                List<FrontPlot.Point> points = new ArrayList<>();
                for (Path f : files) points.addAll(FrontPlot.read(f));
                FrontPlot.draw(points, title != null ? title : "accuracy and size of " + files.size() + " compressed models", out);
            } else {
                Path metrics = files.get(0);
                Plots.curves(Plots.readMetrics(metrics), title != null ? title : metrics.getFileName().toString(), out);
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, e.getMessage());
        }
        cl.getOut().println((front ? "front: " : "curves: ") + out);
        cl.getOut().flush();
        return 0;
    }
}
