package dev.tersor.cli;

import dev.tersor.nn.data.DataFetcher;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tersor data}: data set files. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Data set files.",
        subcommands = DataCommand.Fetch.class)
final class DataCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: one of "
                + String.join(", ", spec.subcommands().keySet()));
    }

    /**
     * {@code tersor data fetch mnist|fashion-mnist|cifar10 --dir D}: downloads the files from the
     * canonical mirror with SHA-256 verification and resumable partial downloads (files already
     * there are verified instead). Without network the error lists the files to place in D by hand.
     * The mirror can be replaced with {@code --mirror URL} or {@code -Dtersor.data.baseUrl=URL}.
     */
    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = {"Download a data set into a directory, verifying SHA-256 checksums; resumes partial downloads.",
                "Without network it says which files to place where."})
    static final class Fetch implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DATASET", description = "mnist, fashion-mnist or cifar10.")
        String dataset;

        @Option(names = "--dir", required = true, paramLabel = "D", description = "Directory the files go to (created if needed).")
        Path dir;

        @Option(names = "--mirror", paramLabel = "URL",
                description = "Fetch every file from URL/NAME instead of the canonical mirror (default: -Dtersor.data.baseUrl, else the canonical one).")
        String mirror;

        @Option(names = "--json", description = "End stdout with one line of JSON.")
        boolean json;

        @Override
        public Integer call() {
            String name = dataset.trim().toLowerCase(Locale.ROOT);
            if (!DataFetcher.names().contains(name)) {
                throw new ParameterException(spec.commandLine(), "unknown data set '" + dataset + "'; valid names: "
                        + String.join(", ", DataFetcher.names()));
            }
            String base = mirror != null ? mirror : System.getProperty(DataFetcher.BASE_URL_PROPERTY);
            URI baseUrl = null;
            if (base != null && !base.isBlank()) {
                try {
                    baseUrl = new URI(base.trim());
                } catch (URISyntaxException e) {
                    throw new ParameterException(spec.commandLine(), "--mirror: not a URL: " + base);
                }
                if (!"http".equals(baseUrl.getScheme()) && !"https".equals(baseUrl.getScheme())) {
                    throw new ParameterException(spec.commandLine(), "--mirror: expected an http or https URL, got " + base);
                }
            }
            PrintWriter err = spec.commandLine().getErr();
            try {
                new DataFetcher(baseUrl, WriterStream.of(err)).fetch(name, dir);
            } catch (IOException e) {
                // The fetcher's message ends with the manual steps, one per line: keep them as lines.
                String message = e.getMessage() == null ? e.toString() : e.getMessage();
                err.println(spec.qualifiedName() + ": " + message.strip());
                err.flush();
                return Main.EXIT_FAILURE;
            }
            PrintWriter o = spec.commandLine().getOut();
            if (json) {
                Map<String, Object> record = new LinkedHashMap<>();
                record.put("dataset", name);
                record.put("dir", dir.toString());
                o.println(Json.write(record));
            } else {
                o.println(name + " is ready in " + dir + " (use --data " + dir + ")");
            }
            o.flush();
            return 0;
        }
    }
}
