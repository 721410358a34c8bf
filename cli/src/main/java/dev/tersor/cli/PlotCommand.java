package dev.tersor.cli;

import java.nio.file.Path;
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
 * ({@link Plots}).
 */
@Command(name = "plot", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Draw a run's training curves (loss, accuracy, learning rate per epoch) from its --metrics-json file as a PNG."})
final class PlotCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "METRICS.json", description = "Metrics written by 'tersor train --metrics-json'.")
    Path metrics;

    @Option(names = "--out", required = true, paramLabel = "F.png", description = "Where the PNG goes.")
    Path out;

    @Option(names = "--title", paramLabel = "T", description = "Title of the panels (default: the metrics file's name).")
    String title;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        Models.existingFile(cl, "METRICS.json", metrics);
        Models.outputFile(cl, "--out", out);
        try {
            Plots.curves(Plots.readMetrics(metrics), title != null ? title : metrics.getFileName().toString(), out);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, e.getMessage());
        }
        cl.getOut().println("curves: " + out);
        cl.getOut().flush();
        return 0;
    }
}
