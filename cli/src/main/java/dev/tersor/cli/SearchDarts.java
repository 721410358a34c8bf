package dev.tersor.cli;

import dev.tersor.search.Architecture;
import dev.tersor.search.CellSpace;
import dev.tersor.search.Darts;
import dev.tersor.search.DartsOptions;
import dev.tersor.search.SearchData;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;

/**
 * The differentiable methods of {@code tersor search} ({@code darts}, {@code pcdarts}) on a cell
 * space: the papers' settings ({@link DartsOptions}) with the command's epochs, and its batch and
 * learning rate when given. The run directory holds {@code darts.ckpt} and {@code epochs.jsonl}
 * (softmax(α), edge weights and the derived cell after every epoch).
 */
final class SearchDarts {
    private final SearchCommand c;

    SearchDarts(SearchCommand command) {
        this.c = command;
    }

    Architecture run(CommandLine cl, CellSpace s, SearchData data, Path run, Map<String, Object> record) throws IOException {
        boolean pc = c.method.trim().equalsIgnoreCase("pcdarts");
        DartsOptions o = pc ? DartsOptions.pcDarts(c.epochs) : DartsOptions.darts(c.epochs).withSecondOrder(c.secondOrder);
        if (c.batch != null) o = o.withBatch(c.batch);
        if (c.lr != null) o = o.withWeightLr(c.lr);
        Darts.Result r = new Darts(o).run(s, data, run, c.seed, new PrintStream(WriterStream.of(cl.getErr()), true));
        record.put("second_order", o.secondOrder());
        record.put("weight_steps", r.weightSteps());
        record.put("arch_steps", r.archSteps());
        record.put("passes", r.passes());
        record.put("search_seconds", BenchCommand.round(r.seconds(), 1));
        record.put("epochs_jsonl", run.resolve("epochs.jsonl").toString());
        return r.arch();
    }
}
