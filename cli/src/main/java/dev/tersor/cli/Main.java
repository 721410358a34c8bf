package dev.tersor.cli;

import dev.tersor.nn.train.TrainingDivergedException;
import dev.tersor.tensor.backend.Backends;
import dev.tersor.tensor.backend.Parallel;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code tersor} command. Exit status 0 on success; on any error one line on stderr and a
 * non-zero status (2 for bad arguments, 1 for failures), with the stack trace only under
 * {@code --verbose} or {@code TERSOR_DEBUG=1}.
 *
 * <pre>{@code
 * tersor demo
 * tersor train --model lenet5 --data data/mnist --out lenet5.safetensors --json
 * tersor eval --model lenet5 --weights lenet5.safetensors --data data/mnist
 * tersor bench gemm --size 1024 --threads 1 --json
 * }</pre>
 */
@Command(name = "tersor", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Tersor: a pure-Java tensor engine with autograd, SIMD kernels, layers and a model zoo.",
        subcommands = {DemoCommand.class, TrainCommand.class, EvalCommand.class, UpscaleCommand.class, PredictCommand.class, InfoCommand.class,
            DataCommand.class, CompressCommand.class, BenchCommand.class, PlotCommand.class, ProfileCommand.class, SearchCommand.class, TuneCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    /** Exit status for failures while running a command. */
    static final int EXIT_FAILURE = 1;
    /** Exit status for bad arguments (picocli's convention). */
    static final int EXIT_USAGE = 2;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Print the stack trace of an error (also: TERSOR_DEBUG=1).")
    boolean verbose;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: one of "
                + String.join(", ", spec.subcommands().keySet()));
    }

    public static void main(String[] args) {
        int status;
        try {
            status = commandLine().execute(args);
        } catch (Throwable t) {   // Errors (out of memory, ...) that picocli lets through
            boolean debug = debugRequested(args);
            System.err.println("tersor: " + describe(t) + hint(t, debug));
            if (debug) t.printStackTrace();
            status = EXIT_FAILURE;
        }
        System.exit(status);
    }

    /** The configured command line: {@link #main} runs it; tests set its out/err and execute it. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler(Main::onBadArguments);
        cl.setExecutionExceptionHandler((ex, sub, parseResult) -> {
            PrintWriter err = sub.getErr();
            boolean verbose = verbose(parseResult);
            err.println(qualifiedName(sub) + ": " + describe(ex) + hint(ex, verbose));
            if (verbose) ex.printStackTrace(err);
            err.flush();
            return EXIT_FAILURE;
        });
        return cl;
    }

    private static int onBadArguments(ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        String message = ex.getMessage();
        if (ex instanceof UnmatchedArgumentException u && !cl.getSubcommands().isEmpty()) {
            String first = u.getUnmatched().isEmpty() ? "" : u.getUnmatched().get(0);
            if (!first.startsWith("-")) {
                message = "unknown subcommand '" + first + "'; expected one of "
                        + String.join(", ", cl.getSubcommands().keySet());
            }
        }
        boolean unknownOption = ex instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty() && u.getUnmatched().get(0).startsWith("-");
        if (ex instanceof CommandLine.MissingParameterException || unknownOption) {
            String unknown = UnknownOptions.describe(cl.getCommandSpec(), args);
            if (unknown != null) message = unknown;   // a missing option is usually the mistyped one
        }
        message = message == null ? "bad arguments" : message.strip().replaceAll("\\s*\\R\\s*", "; ");
        err.println(qualifiedName(cl) + ": " + message + " (see '" + qualifiedName(cl) + " --help')");
        if (debugRequested(args)) ex.printStackTrace(err);
        err.flush();
        return EXIT_USAGE;
    }

    private static String qualifiedName(CommandLine cl) {
        return cl.getCommandSpec().qualifiedName();
    }

    /** One line: the message, prefixed by the exception type unless it is a plain argument/state error. */
    static String describe(Throwable t) {
        while ((t instanceof ExceptionInInitializerError || t instanceof java.lang.reflect.InvocationTargetException
                || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        String msg = t.getMessage();
        boolean plain = t instanceof IllegalArgumentException || t instanceof IllegalStateException
                || t instanceof java.io.UncheckedIOException || t instanceof IOException;
        String line = msg == null || msg.isBlank() ? t.getClass().getSimpleName()
                : t instanceof TrainingDivergedException ? "training diverged: " + msg
                : plain ? msg : t.getClass().getSimpleName() + ": " + msg;
        // Multi-line messages (a state-dict report, say) become one line: "a:\n  b\n  c" -> "a: b; c".
        return line.strip().replaceAll(":\\s*\\R\\s*", ": ").replaceAll("\\s*\\R\\s*", "; ");
    }

    private static String hint(Throwable t, boolean verbose) {
        if (t instanceof OutOfMemoryError) return " (give the JVM more heap, e.g. TERSOR_JAVA_OPTS=-Xmx8g)";
        if (verbose) return "";
        return " (run with --verbose for the stack trace)";
    }

    private static boolean verbose(ParseResult parseResult) {
        if (debugEnv()) return true;
        for (ParseResult pr = parseResult; pr != null; pr = pr.subcommand()) {
            if (pr.hasMatchedOption("--verbose")) return true;
        }
        return false;
    }

    private static boolean debugRequested(String[] args) {
        if (debugEnv()) return true;
        for (String a : args) if (a.equals("--verbose")) return true;
        return false;
    }

    private static boolean debugEnv() {
        String v = System.getenv("TERSOR_DEBUG");
        return v != null && !v.isBlank() && !v.equals("0") && !v.equalsIgnoreCase("false");
    }

    /** " (built from commit X)" when the jar's manifest names the commit (the ./tersor launcher's builds), else "". */
    static String commit() {
        String c = commitId();
        return c == null ? "" : " (built from commit " + c + ")";
    }

    /** The commit the jar's manifest names, or null. */
    static String commitId() {
        try (InputStream in = Main.class.getResourceAsStream("/META-INF/MANIFEST.MF")) {
            if (in == null) return null;
            String c = new java.util.jar.Manifest(in).getMainAttributes().getValue("Tersor-Commit");
            return c == null || c.isBlank() || c.equals("unknown") || c.startsWith("${") ? null : c;
        } catch (IOException e) {
            return null;
        }
    }

    /** The version of this build (from the jar's Maven metadata), or {@code "dev"} outside a jar. */
    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        if (v != null) return v;
        try (InputStream in = Main.class.getResourceAsStream("/META-INF/maven/dev.tersor/tersor-cli/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "dev");
            }
        } catch (IOException e) {
            // fall through
        }
        return "dev";
    }

    /** {@code tersor --version}: this build, the JVM, and the kernels in use. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "tersor " + version() + commit(),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ", "
                        + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ")",
                "backend " + Backends.current().name() + ", " + Parallel.threads() + " threads",
            };
        }
    }
}
