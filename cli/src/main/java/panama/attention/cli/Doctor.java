package panama.attention.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import panama.attention.Attention;
import panama.attention.Backend;
import panama.attention.BackendStatus;
import panama.attention.CpuIsa;
import panama.attention.DType;
import panama.attention.TileScheduler;
import panama.attention.bindings.panattn_cuda_h;
import panama.attention.bindings.panattn_h;
import panama.attention.internal.FmaPeak;
import panama.attention.internal.NativeCpuKernel;
import panama.attention.internal.NativeLibrary;
import panama.attention.internal.OpenBlas;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code doctor}: what this machine and this build can run, and why not when they cannot. Every
 * probe is guarded: a failing probe prints its reason on its own line and the rest still runs.
 */
final class Doctor {
    /** The CPU flags the kernels care about (x86 names as in /proc/cpuinfo). */
    static final String[] FEATURES = {"avx2", "fma", "f16c", "avx512f", "avx512_bf16", "amx_bf16"};
    static final String CUDA_RESOURCE = NativeLibrary.PLATFORM_DIR + "/libpanattn_cuda.so";

    private Doctor() {
    }

    static final String USAGE = """
            doctor [--isa auto|scalar|avx2|avx512|avx512_bf16|amx_bf16]
                JDK, OS, CPU features, scheduler threads, every backend (on/off and why),
                the native CPU paths, the measured FMA peak of each (1 thread and the
                scheduler's threads), OpenBLAS (and whether OPENBLAS_CORETYPE holds it to
                kernels older than the CPU) and CUDA. With --isa, also says whether that
                forced CPU path can run here (exit 1 when it cannot).""";

    /** The command line of {@code doctor}. */
    @Command(name = "doctor")
    static final class Opts {
        @Option(names = "--isa", converter = Args.IsaConverter.class)
        CpuIsa isa;

        @Option(names = {"-h", "--help"}, usageHelp = true)
        boolean help;
    }

    static int run(Opts o, PrintStream out) throws CliException {
        String isaProblem = report(out, o.isa);
        if (isaProblem != null) {
            throw CliException.runtime(isaProblem);
        }
        return 0;
    }

    /** Prints the report; returns why the requested ISA cannot run, or null. */
    static String report(PrintStream out, CpuIsa isa) {
        out.println("panama-attention doctor");
        line(out, "JDK", () -> System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", "
                + System.getProperty("java.vm.name") + ") at " + System.getProperty("java.home"));
        line(out, "OS/arch", () -> System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        line(out, "CPU", Doctor::cpu);
        line(out, "Scheduler", () -> "TileScheduler.shared() has " + TileScheduler.shared().threads()
                + " threads (-Dpanattn.threads; bench uses --threads)");

        List<BackendStatus> statuses;
        try {
            statuses = Attention.backends();
        } catch (Throwable e) {
            line(out, "Backends", () -> "cannot be listed: " + Main.message(e));
            statuses = List.of();
        }
        out.println("Backends:");
        boolean cpuOn = false;
        for (BackendStatus s : statuses) {
            out.printf("  %-15s %-4s %s%n", s.backend(), s.available() ? "on" : "off", oneLine(s.detail()));
            cpuOn |= s.backend() == Backend.NATIVE_CPU && s.available();
        }
        final boolean nativeOn = cpuOn;
        line(out, "Native CPU", () -> nativeOn ? isaSummary() : "off (see NATIVE_CPU above)");
        String isaProblem = null;
        if (isa != null) {
            String why = isaProblem(isa, nativeOn);
            out.println("  --isa " + Args.lower(isa) + ": " + (why == null ? "runnable" : "NOT runnable: " + why));
            isaProblem = why == null ? null : "CPU path " + Args.lower(isa) + " cannot run here: " + why;
        }
        Map<CpuIsa, Double> peaks = fmaPeaks(out, nativeOn);
        line(out, "OpenBLAS", OpenBlas::describe);
        line(out, "OpenBLAS env", () -> openBlasEnv(System.getenv(), nativeOn, peaks));
        line(out, "CUDA", Doctor::cuda);
        return isaProblem;
    }

    /**
     * Prints the FMA peak of every path this CPU runs, on 1 thread and on the scheduler's threads;
     * returns the 1-thread peaks it measured.
     */
    private static Map<CpuIsa, Double> fmaPeaks(PrintStream out, boolean nativeOn) {
        Map<CpuIsa, Double> oneThread = new EnumMap<>(CpuIsa.class);
        if (!nativeOn) {
            line(out, "FMA peak", () -> "not measured (NATIVE_CPU is off: the probe lives in libpanattn)");
            return oneThread;
        }
        int threads = TileScheduler.shared().threads();
        line(out, "FMA peak", () -> String.format(Locale.ROOT, "measured per CPU path (panattn_fma_peak, %.1f s per"
                + " probe): the ceiling bench reads its GFLOP/s against", Ceiling.probeSeconds));
        for (CpuIsa isa : FmaPeak.supported()) {
            String text;
            try {
                double one = FmaPeak.measure(isa, 1, Ceiling.probeSeconds);
                oneThread.put(isa, one);
                double all = threads == 1 ? one : FmaPeak.measure(isa, threads, Ceiling.probeSeconds);
                text = String.format(Locale.ROOT, "%9.1f GFLOP/s on 1 thread, %9.1f GFLOP/s on %d thread%s%s", one, all,
                        threads, threads == 1 ? "" : "s", isa == CpuIsa.SCALAR ? " (128-bit multiply + add)" : " (FMA)");
            } catch (RuntimeException e) {
                text = "not measured: " + Main.message(e);
            }
            out.printf("  %-15s %s%n", Args.lower(isa), oneLine(text));
        }
        return oneThread;
    }

    /** Whether the OpenBLAS variables in {@code env} hold sgemm below this CPU's speed. */
    static String openBlasEnv(Map<String, String> env, boolean nativeOn, Map<CpuIsa, Double> oneThreadPeaks) {
        if (!nativeOn) { // the CPU's best path comes from libpanattn: without it, nothing to compare with
            String coreType = env.get("OPENBLAS_CORETYPE");
            return "OPENBLAS_CORETYPE=" + (coreType == null ? "(unset)" : coreType)
                    + "; not compared with the CPU (NATIVE_CPU is off)";
        }
        List<String> notes = Ceiling.openBlasEnvNotes(env, NativeCpuKernel.bestIsa(),
                isa -> oneThreadPeaks.getOrDefault(isa, Double.NaN));
        return notes.isEmpty() ? "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset: OpenBLAS picks its kernels from CPUID"
                : String.join("; ", notes);
    }

    private interface Probe {
        String get() throws Exception;
    }

    private static void line(PrintStream out, String label, Probe probe) {
        String text;
        try {
            text = probe.get();
        } catch (Throwable e) {
            text = "unknown (" + Main.message(e) + ")";
        }
        out.printf("%-11s %s%n", label + ":", oneLine(text));
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    /** The CPU's model name from /proc/cpuinfo, or "unknown CPU". */
    static String cpuModel() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                int colon = l.indexOf(':');
                if (colon > 0 && l.substring(0, colon).trim().equals("model name")) {
                    return l.substring(colon + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return "unknown CPU";
    }

    static String cpu() throws IOException {
        int cores = Runtime.getRuntime().availableProcessors();
        Path info = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(info)) {
            return "unknown model (no /proc/cpuinfo), " + cores + " cores available";
        }
        String model = "unknown model";
        Set<String> flags = new LinkedHashSet<>();
        for (String l : Files.readAllLines(info)) {
            int colon = l.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = l.substring(0, colon).trim();
            String value = l.substring(colon + 1).trim();
            if (key.equals("model name") && model.equals("unknown model")) {
                model = value;
            } else if (key.equals("flags") && flags.isEmpty()) {
                flags.addAll(List.of(value.split("\\s+")));
            }
        }
        List<String> have = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String f : FEATURES) {
            (flags.contains(f) ? have : missing).add(f);
        }
        return model + ", " + cores + " cores available; features: "
                + (have.isEmpty() ? "none" : String.join(" ", have))
                + (missing.isEmpty() ? "" : " (missing: " + String.join(" ", missing) + ")");
    }

    /** Only call when NATIVE_CPU is on: the bindings need libpanattn loaded. */
    private static String isaSummary() {
        StringBuilder b = new StringBuilder("AUTO resolves to ").append(Args.lower(NativeCpuKernel.bestIsa()))
                .append(" (f32, f16) and ").append(Args.lower(NativeCpuKernel.autoIsa(DType.BF16)))
                .append(" (bf16); supported:");
        for (CpuIsa i : CpuIsa.values()) {
            if (i != CpuIsa.AUTO) {
                b.append(' ').append(Args.lower(i)).append(panattn_h.panattn_isa_supported(i.nativeCode()) != 0 ? " yes," : " no,");
            }
        }
        b.setLength(b.length() - 1);
        return b.toString();
    }

    /** Null when the forced path can run, else why not. */
    static String isaProblem(CpuIsa isa, boolean nativeOn) {
        if (!nativeOn) {
            return "NATIVE_CPU is off";
        }
        try {
            if (isa == CpuIsa.AUTO) {
                return null;
            }
            return panattn_h.panattn_isa_supported(isa.nativeCode()) != 0 ? null
                    : "not supported by this CPU or this build of libpanattn";
        } catch (Throwable e) {
            return Main.message(e);
        }
    }

    static String cuda() {
        boolean packaged = ClassLoader.getSystemResource(CUDA_RESOURCE) != null
                || NativeLibrary.class.getClassLoader().getResource(CUDA_RESOURCE) != null;
        String prefix = "libpanattn_cuda.so " + (packaged ? "packaged" : "not packaged") + "; ";
        NativeLibrary lib = NativeLibrary.load("libpanattn_cuda.so", "panattn_cuda_abi_version");
        if (!lib.loaded()) {
            return prefix + "off: " + lib.error();
        }
        try {
            int have = panattn_cuda_h.panattn_cuda_abi_version();
            int want = panattn_cuda_h.PANATTN_CUDA_ABI_VERSION();
            if (have != want) {
                return prefix + "off: " + lib.path() + " has ABI version " + have + " but these bindings need " + want;
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment count = arena.allocate(ValueLayout.JAVA_INT);
                int status = panattn_cuda_h.panattn_cuda_device_count(count);
                if (status == 0) {
                    int n = count.get(ValueLayout.JAVA_INT, 0);
                    return prefix + "loaded from " + lib.path() + "; " + n + " device" + (n == 1 ? "" : "s");
                }
                String err = panattn_cuda_h.panattn_cuda_last_error().getString(0);
                String driver = driverProblem();
                return prefix + "off: " + (driver != null ? driver + "; " : "") + err;
            }
        } catch (Throwable e) {
            return prefix + "off: " + lib.path() + " loaded but cannot be called: " + Main.message(e);
        }
    }

    /** "no CUDA driver (...)" when libcuda.so.1 cannot be opened, else null. */
    static String driverProblem() {
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup.libraryLookup("libcuda.so.1", arena);
            return null;
        } catch (Throwable e) {
            return "no CUDA driver (libcuda.so.1 not found)";
        }
    }
}
