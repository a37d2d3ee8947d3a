package panama.attention.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import panama.attention.CpuIsa;
import panama.attention.internal.FmaPeak;
import panama.attention.internal.NativeCpuKernel;

/**
 * The ceiling every GFLOP/s of {@code doctor}, {@code bench} and the peer comparison is read against:
 * the CPU's measured FMA peak ({@link FmaPeak}), and why OpenBLAS sgemm is only a reference. An
 * environment that sets {@code OPENBLAS_CORETYPE} to an older core makes sgemm run older kernels at a
 * fraction of the CPU's speed; this class says so in one line.
 */
final class Ceiling {
    /** Seconds each probe runs; tests lower it (rates are never asserted there). */
    static volatile double probeSeconds = 0.3;

    private Ceiling() {
    }

    /**
     * The best path's FMA peak on 1 thread and on {@code threads} threads (NaN where not measured).
     *
     * @param isa   the path measured (the one AUTO resolves to), null when the probe could not run
     * @param error why the probe could not run, or null
     */
    record Peak(CpuIsa isa, int threads, double oneThread, double allThreads, String error) {
        /** The peak at {@code t} threads: NaN unless t is 1 or the measured thread count. */
        double at(int t) {
            return t == threads ? allThreads : t == 1 ? oneThread : Double.NaN;
        }

        /** "AVX512 FMA peak: 145.2 GFLOP/s on 1 thread, 290.4 GFLOP/s on 2 threads", or why none. */
        String line() {
            if (error != null) {
                return "FMA peak: not measured (" + Doctor.oneLine(error) + ")";
            }
            return String.format(Locale.ROOT, "%s FMA peak (measured): %.1f GFLOP/s on 1 thread, %.1f GFLOP/s on %d"
                    + " thread%s", isa, oneThread, allThreads, threads, threads == 1 ? "" : "s");
        }
    }

    /** Measures the best path's peak on 1 and on {@code threads} threads; never throws. */
    static Peak measure(int threads) {
        String why = FmaPeak.unavailable();
        if (why != null) {
            return new Peak(null, threads, Double.NaN, Double.NaN, "libpanattn is off: " + why);
        }
        try {
            CpuIsa best = NativeCpuKernel.bestIsa();
            double one = FmaPeak.measure(best, 1, probeSeconds);
            double all = threads == 1 ? one : FmaPeak.measure(best, threads, probeSeconds);
            return new Peak(best, threads, one, all, null);
        } catch (RuntimeException | LinkageError e) {
            return new Peak(null, threads, Double.NaN, Double.NaN, Main.message(e));
        }
    }

    /** {@code gflops / peak} as "41%", or "" when either is unknown. */
    static String percent(double gflops, double peak) {
        double s = share(gflops, peak);
        return Double.isFinite(s) ? String.format(Locale.ROOT, "%.0f%%", 100 * s) : "";
    }

    /** {@code gflops / peak}, or NaN when either is unknown. */
    static double share(double gflops, double peak) {
        return Double.isFinite(gflops) && Double.isFinite(peak) && peak > 0 ? gflops / peak : Double.NaN;
    }

    /** Vector width of OpenBLAS's x86 kernel families, oldest first. */
    enum KernelLevel {
        SSE("SSE", 4, CpuIsa.SCALAR), AVX("AVX (no FMA)", 8, null), AVX2("AVX2", 8, CpuIsa.AVX2),
        AVX512("AVX-512", 16, CpuIsa.AVX512);

        final String label;
        final int lanes;
        /** The probe path with the same instructions, or null when there is none (AVX without FMA). */
        final CpuIsa probe;

        KernelLevel(String label, int lanes, CpuIsa probe) {
            this.label = label;
            this.lanes = lanes;
            this.probe = probe;
        }

        static KernelLevel of(CpuIsa best) {
            return best == CpuIsa.AVX512 ? AVX512 : best == CpuIsa.AVX2 ? AVX2 : SSE;
        }
    }

    /**
     * The kernel family an {@code OPENBLAS_CORETYPE} value selects (OpenBLAS's names, any case), or null
     * for a name this check does not know.
     */
    static KernelLevel coreTypeLevel(String coreType) {
        return switch (coreType.strip().toUpperCase(Locale.ROOT)) {
            case "SKYLAKEX", "COOPERLAKE", "SAPPHIRERAPIDS" -> KernelLevel.AVX512;
            case "HASWELL", "ZEN", "EXCAVATOR" -> KernelLevel.AVX2;
            case "SANDYBRIDGE", "BULLDOZER", "PILEDRIVER", "STEAMROLLER" -> KernelLevel.AVX;
            case "KATMAI", "COPPERMINE", "NORTHWOOD", "PRESCOTT", "BANIAS", "ATOM", "CORE2", "PENRYN", "DUNNINGTON",
                 "NEHALEM", "OPTERON", "OPTERON_SSE3", "BARCELONA", "BOBCAT", "NANO", "PRESCOTT_SSE3" -> KernelLevel.SSE;
            default -> null;
        };
    }

    /**
     * What {@code OPENBLAS_CORETYPE} and {@code OPENBLAS_L2_SIZE} in {@code env} do to sgemm on a CPU whose
     * best path is {@code best}: one sentence each that is set, none when neither is. {@code peakOf} gives
     * a path's measured 1-thread peak (NaN when unknown); without it the share is the nominal lane ratio.
     */
    static List<String> openBlasEnvNotes(Map<String, String> env, CpuIsa best, ToDoubleFunction<CpuIsa> peakOf) {
        List<String> notes = new ArrayList<>();
        String coreType = env.get("OPENBLAS_CORETYPE");
        if (coreType != null && !coreType.isBlank()) {
            notes.add(coreTypeNote(coreType.strip(), KernelLevel.of(best), best, peakOf));
        }
        String l2 = env.get("OPENBLAS_L2_SIZE");
        if (l2 != null && !l2.isBlank()) {
            notes.add("OPENBLAS_L2_SIZE=" + l2.strip() + " overrides the L2 size OpenBLAS blocks sgemm for; the"
                    + " kernels stay the ones OPENBLAS_CORETYPE or CPUID chose");
        }
        return notes;
    }

    private static String coreTypeNote(String coreType, KernelLevel cpu, CpuIsa best, ToDoubleFunction<CpuIsa> peakOf) {
        String head = "OPENBLAS_CORETYPE=" + coreType;
        KernelLevel forced = coreTypeLevel(coreType);
        if (forced == null) {
            return head + " is not a core type this check knows; sgemm's kernels are unknown";
        }
        if (forced.compareTo(cpu) > 0) {
            return head + " asks for " + forced.label + " kernels on a CPU without them: OpenBLAS may fail or fall back";
        }
        if (forced == cpu) {
            return head + " selects " + forced.label + " kernels, the widest this CPU runs";
        }
        double have = forced.probe == null ? Double.NaN : peakOf.applyAsDouble(forced.probe);
        double could = peakOf.applyAsDouble(best);
        double ratio = share(have, could);
        String basis;
        if (Double.isFinite(ratio)) {
            basis = String.format(Locale.ROOT, " (%s FMA peak %.1f of %s's %.1f GFLOP/s, 1 thread)", forced.probe, have,
                    best, could);
        } else {
            ratio = (double) forced.lanes / cpu.lanes;
            basis = " (" + forced.lanes + " of " + cpu.lanes + " float lanes)";
        }
        if (ratio >= 0.9) {
            return head + " forces " + forced.label + " kernels on an " + cpu.label + " CPU, which runs them about as"
                    + " fast as its own" + basis;
        }
        return head + " forces " + forced.label + " kernels on an " + cpu.label + " CPU: sgemm reads " + fraction(ratio)
                + " of what it can do" + basis;
    }

    /** "about half", "about a quarter" or "about 41%". */
    static String fraction(double ratio) {
        if (Math.abs(ratio - 0.5) <= 0.07) {
            return "about half";
        }
        if (Math.abs(ratio - 0.25) <= 0.04) {
            return "about a quarter";
        }
        return String.format(Locale.ROOT, "about %.0f%%", 100 * ratio);
    }
}
