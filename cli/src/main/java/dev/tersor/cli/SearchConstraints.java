package dev.tersor.cli;

import dev.tersor.search.Constraint;
import dev.tersor.search.CostTable;
import dev.tersor.search.LatencyTable;
import dev.tersor.search.SearchSpace;
import dev.tersor.search.Supernet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The {@code --constraint K=V} limits of {@code tersor search}: {@code macs=N} (multiply-accumulates
 * per image), {@code params=N} (parameters), {@code latency=Xms} (batch-1, one-thread latency from
 * a lookup table measured on this JVM and kept in the run directory as {@code latency.json}).
 * A limit no architecture meets is a usage error naming the smallest possible value.
 */
final class SearchConstraints {
    /** The limits and the cost tables every trial reports (MACs, parameters, and latency when limited). */
    record Parsed(List<Constraint> limits, List<CostTable> reported) {
    }

    private SearchConstraints() {
    }

    static Parsed parse(CommandLine cl, List<String> given, SearchSpace space, Supernet net, Path runDir) throws IOException {
        CostTable macs = CostTable.macs(space), params = CostTable.parameters(space);
        List<CostTable> reported = new ArrayList<>(List.of(macs, params));
        List<Constraint> limits = new ArrayList<>();
        for (String g : given) {
            int eq = g.indexOf('=');
            if (eq < 1) throw new ParameterException(cl, "--constraint: expected K=V (macs=N, params=N or latency=Xms), got '" + g + "'");
            String key = g.substring(0, eq).trim().toLowerCase(Locale.ROOT), value = g.substring(eq + 1).trim();
            CostTable table;
            double limit;
            switch (key) {
                case "macs", "params" -> {
                    table = key.equals("macs") ? macs : params;
                    limit = number(cl, g, value);
                }
                case "latency" -> {
                    String v = value.toLowerCase(Locale.ROOT);
                    if (!v.endsWith("ms")) throw new ParameterException(cl, "--constraint " + g + ": give the latency in milliseconds, e.g. latency=1.5ms");
                    limit = number(cl, g, v.substring(0, v.length() - 2));
                    Path file = runDir.resolve("latency.json");
                    if (!Files.exists(file)) cl.getErr().println("latency: measuring every candidate on this machine (a few seconds of warm-up first) into " + file);
                    table = LatencyTable.loadOrMeasure(file, net, LatencyTable.Options.defaults());
                    reported.add(table);
                }
                default -> throw new ParameterException(cl, "--constraint: unknown cost '" + key + "' (expected macs, params or latency)");
            }
            try {
                limits.add(new Constraint(table, limit));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(cl, "--constraint " + g + ": " + e.getMessage());
            }
        }
        return new Parsed(limits, reported);
    }

    private static double number(CommandLine cl, String given, String v) {
        try {
            double d = Double.parseDouble(v);
            if (!(d > 0) || Double.isInfinite(d)) throw new NumberFormatException();
            return d;
        } catch (NumberFormatException e) {
            throw new ParameterException(cl, "--constraint " + given + ": '" + v + "' is not a positive number");
        }
    }
}
