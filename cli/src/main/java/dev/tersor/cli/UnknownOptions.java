package dev.tersor.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Names the options of a command line that the command does not have, with the closest real
 * one: picocli reports a missing required option first, so {@code --modle lenet5} would read
 * "Missing required option '--model'" without naming the typo.
 */
final class UnknownOptions {
    private UnknownOptions() {
    }

    /** "unknown option '--modle' (did you mean '--model'?)", or null when every option word is known. */
    static String describe(CommandSpec spec, String[] args) {
        List<String> parts = new ArrayList<>();
        for (String a : args) {
            if (!a.matches("--?[A-Za-z][A-Za-z0-9-]*(=.*)?")) continue;   // values such as -0.5 are not options
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            if (known(spec, name)) continue;
            String near = nearest(spec, name);
            parts.add("'" + name + "'" + (near == null ? "" : " (did you mean '" + near + "'?)"));
        }
        if (parts.isEmpty()) return null;
        return (parts.size() == 1 ? "unknown option " : "unknown options ") + String.join(", ", parts);
    }

    /** An option of the command or of a command above it (those come before the subcommand's name). */
    private static boolean known(CommandSpec spec, String name) {
        for (CommandSpec s = spec; s != null; s = s.parent()) if (s.findOption(name) != null) return true;
        return false;
    }

    private static String nearest(CommandSpec spec, String name) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (OptionSpec o : spec.options()) {
            for (String n : o.names()) {
                int d = distance(name, n);
                if (d < bestD) {
                    bestD = d;
                    best = n;
                }
            }
        }
        return bestD <= Math.max(2, name.length() / 4) ? best : null;
    }

    /** Edit distance with adjacent transpositions (so "modle" is one step from "model"). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
