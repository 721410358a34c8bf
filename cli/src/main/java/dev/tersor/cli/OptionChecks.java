package dev.tersor.cli;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** Checks of option values shared by the commands, each a usage error naming the flag and the value. */
final class OptionChecks {
    private OptionChecks() {
    }

    /** {@code value} must be a finite number > 0 (a learning rate, a temperature); null (not given) passes. */
    static void positive(CommandLine cl, String flag, Double value) {
        if (value != null && !(value > 0 && Double.isFinite(value))) throw new ParameterException(cl, flag + " must be a finite number > 0, got " + value);
    }
}
