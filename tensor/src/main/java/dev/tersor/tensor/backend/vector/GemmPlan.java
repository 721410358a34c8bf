package dev.tersor.tensor.backend.vector;

/**
 * How {@link VectorGemm} runs one GEMM shape (made by {@link GemmPlanner}, executed by
 * {@link VectorGemm#execute}):
 *
 * <ul>
 *   <li>{@link Path#DOT}: {@code A·Bᵀ} as register-blocked dot products ({@link GemmDot}), no
 *       packing; {@code tasks} chunks of column blocks.</li>
 *   <li>{@link Path#DIRECT}: no packing, vectors along n (or dot products along k for
 *       {@code A·Bᵀ}); {@code tasks} chunks of rows (of columns when m is 1).</li>
 *   <li>{@link Path#BLOCKED}: Goto/BLIS packing of A blocks {@code mc×kc} and B blocks
 *       {@code kc×nc}, {@code mr}-row strips (MR, or 8).</li>
 *   <li>{@link Path#UNPACKED}: BLOCKED, but full NR panels of B are read in place (8-row
 *       strips; B not transposed).</li>
 * </ul>
 * {@code tasks} is the number of threads kept busy (the work is cut into a few chunks per task,
 * {@link VectorGemm#CHUNKS_PER_TASK}); the blocked paths split each K block by rows
 * ({@code splitRows}: each chunk packs only its own A) or by NR panels of B. mc, kc, nc and mr are
 * 0 for DOT and DIRECT. Every plan gives the product within float rounding; plans that differ
 * only in mc, nc, tasks or the split give bit-identical results.
 */
record GemmPlan(Path path, int mc, int kc, int nc, int mr, int tasks, boolean splitRows) {
    enum Path { DOT, DIRECT, BLOCKED, UNPACKED }

    GemmPlan {
        if (tasks == 1) splitRows = blocked(path);   // one task: nothing to split (one canonical form)
        if (path == null || tasks < 1) throw new IllegalArgumentException("bad GEMM plan: " + path + " tasks " + tasks);
        boolean blocked = blocked(path);
        if (blocked ? mc < 1 || kc < 1 || nc < 1 || mr < 1 : mc != 0 || kc != 0 || nc != 0 || mr != 0 || splitRows) {
            throw new IllegalArgumentException("bad GEMM plan: " + path + " mc " + mc + " kc " + kc + " nc " + nc + " mr " + mr);
        }
    }

    /** A DOT or DIRECT plan. */
    static GemmPlan unblocked(Path path, int tasks) {
        return new GemmPlan(path, 0, 0, 0, 0, tasks, false);
    }

    boolean blocked() {
        return blocked(path);
    }

    private static boolean blocked(Path path) {
        return path == Path.BLOCKED || path == Path.UNPACKED;
    }

    /** {@code "DIRECT tasks=2"} or {@code "BLOCKED mc=144 kc=512 nc=4096 mr=12 tasks=2 split=rows"}. */
    String text() {
        if (!blocked()) return path + " tasks=" + tasks;
        return path + " mc=" + mc + " kc=" + kc + " nc=" + nc + " mr=" + mr + " tasks=" + tasks
                + " split=" + (splitRows ? "rows" : "panels");
    }

    /** The plan {@link #text()} wrote, or null when {@code s} is not one. */
    static GemmPlan parse(String s) {
        String[] f = s.trim().split(" ");
        try {
            Path path = Path.valueOf(f[0]);
            if (path == Path.DOT || path == Path.DIRECT) {
                return f.length == 2 ? unblocked(path, field(f[1], "tasks")) : null;
            }
            if (f.length != 7 || !(f[6].equals("split=rows") || f[6].equals("split=panels"))) return null;
            return new GemmPlan(path, field(f[1], "mc"), field(f[2], "kc"), field(f[3], "nc"), field(f[4], "mr"),
                    field(f[5], "tasks"), f[6].equals("split=rows"));
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            return null;
        }
    }

    private static int field(String kv, String name) {
        if (!kv.startsWith(name + "=")) throw new IllegalArgumentException(kv);
        return Integer.parseInt(kv.substring(name.length() + 1));
    }
}
