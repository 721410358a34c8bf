package dev.tersor.cli;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.tersor.tensor.backend.Backends;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The machine a suite ran on, for its report: CPU model ({@code lscpu}'s "Model name", else
 * /proc/cpuinfo), its SIMD flags, the JVM and the vector width C2 compiles for
 * ({@code MaxVectorSize} × 8 bits: 256 on AVX2, 512 on AVX-512, less under {@code -XX:UseAVX=N}).
 *
 * @param cpuModel   e.g. {@code AMD EPYC}; {@code unknown} when neither source says
 * @param cpuId      {@code family F model M} from /proc/cpuinfo, or null
 * @param cpuFlags   all flags of the first CPU in /proc/cpuinfo (empty elsewhere)
 * @param vectorBits the JVM's largest vector in bits, -1 when the JVM does not say
 * @param useAvx     the JVM's {@code UseAVX} setting, or null off x86 / on other JVMs
 */
record MachineFacts(String cpuModel, String cpuId, Set<String> cpuFlags, int cpus, String javaVersion, String javaVendor,
                    int vectorBits, String useAvx, String backend) {

    /** The flags worth naming in a report about kernels. */
    private static final List<String> SIMD = List.of("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl",
            "avx512_vnni", "avx512_bf16", "amx_tile", "asimd", "sve");

    static MachineFacts detect() {
        String cpuinfo = read(Path.of("/proc/cpuinfo"));
        String lscpu = null;
        try {
            AnchorRunner.Output o = AnchorRunner.exec(List.of("lscpu"), Map.of(), 10);
            if (o.exit() == 0) lscpu = String.join("\n", o.stdout());
        } catch (IOException e) {
            // no lscpu: /proc/cpuinfo below
        }
        String family = field(cpuinfo, "cpu family"), model = field(cpuinfo, "model");
        String flags = field(cpuinfo, "flags");
        if (flags == null) flags = field(cpuinfo, "Features");   // ARM
        Set<String> set = new TreeSet<>(flags == null ? List.of() : List.of(flags.trim().split("\\s+")));
        return new MachineFacts(cpuModel(lscpu, cpuinfo), family == null || model == null ? null : "family " + family + " model " + model,
                set, Runtime.getRuntime().availableProcessors(), Runtime.version().toString(), System.getProperty("java.vendor"),
                vmOption("MaxVectorSize") == null ? -1 : 8 * Integer.parseInt(vmOption("MaxVectorSize")), vmOption("UseAVX"),
                Backends.current().name());
    }

    /** The CPU model from {@code lscpu} output ("Model name:"), else from /proc/cpuinfo ("model name"); "unknown" if neither. */
    static String cpuModel(String lscpu, String cpuinfo) {
        String m = field(lscpu, "Model name");
        if (m == null) m = field(cpuinfo, "model name");
        return m == null || m.isBlank() ? "unknown" : m.strip();
    }

    /** The value of the first {@code name: value} line (name matched exactly, any spacing), or null. */
    static String field(String text, String name) {
        if (text == null) return null;
        for (String line : text.split("\\R")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equals(name)) return line.substring(colon + 1).strip();
        }
        return null;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String vmOption(String name) {
        try {
            String v = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption(name).getValue();
            return v == null || v.isEmpty() ? null : v;
        } catch (RuntimeException | LinkageError e) {   // not HotSpot, or no such option on this CPU
            return null;
        }
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu_model", cpuModel);
        m.put("cpu_id", cpuId);
        m.put("cpu_simd_flags", SIMD.stream().filter(cpuFlags::contains).toList());
        m.put("cpus", cpus);
        m.put("java_version", javaVersion);
        m.put("java_vendor", javaVendor);
        m.put("jvm_vector_bits", vectorBits);
        m.put("jvm_use_avx", useAvx);
        m.put("backend", backend);
        m.put("tersor_version", Main.version());
        m.put("tersor_commit", Main.commitId());
        return m;
    }

    /** One line for the table's heading. */
    String describe() {
        return cpuModel + (cpuId == null ? "" : " (" + cpuId + ")") + ", " + cpus + " CPUs; Java " + javaVersion + " ("
                + javaVendor + "), " + (vectorBits > 0 ? vectorBits + "-bit vectors" : "vector width unknown")
                + (useAvx == null ? "" : ", UseAVX=" + useAvx) + ", backend " + backend;
    }
}
