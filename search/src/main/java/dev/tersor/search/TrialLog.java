package dev.tersor.search;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON-lines file of every evaluated candidate ({@link Trial#toJson}), appended and flushed
 * one line at a time. Reopening reads the lines back; a last line cut short by a kill (no
 * newline) is dropped, any other bad line is an error naming the file and line.
 */
final class TrialLog {
    private final Path path;
    private final SearchSpace space;

    TrialLog(Path path, SearchSpace space) {
        this.path = path;
        this.space = space;
    }

    /** The trials already in the file (none when it does not exist). */
    List<Trial> read() {
        List<Trial> out = new ArrayList<>();
        if (!Files.exists(path)) return out;
        try {
            String text = Files.readString(path, StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n') + 1;
            if (end < text.length()) AtomicFiles.write(path, text.substring(0, end));   // a line cut short by a kill
            String[] lines = text.substring(0, end).split("\n");
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].isBlank()) continue;
                Trial t = Trial.fromJson(lines[i], space, path + ", line " + (i + 1));
                if (t.index() != out.size()) {
                    throw new IllegalArgumentException(path + ", line " + (i + 1) + ": trial " + t.index() + " where trial " + out.size() + " was expected");
                }
                out.add(t);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the trial log " + path + ": " + e.getMessage(), e);
        }
    }

    void append(Trial t) {
        try {
            if (path.toAbsolutePath().getParent() != null) Files.createDirectories(path.toAbsolutePath().getParent());
            Files.writeString(path, t.toJson(space) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the trial log " + path + ": " + e.getMessage(), e);
        }
    }
}
