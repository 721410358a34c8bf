package dev.tersor.tensor.backend;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Prints a warning on stderr at most once per key for the life of the JVM. */
final class Warnings {
    private static final Set<String> SEEN = ConcurrentHashMap.newKeySet();

    private Warnings() {
    }

    static void once(String key, String message) {
        if (SEEN.add(key)) System.err.println(message);
    }
}
