package panama.attention.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import panama.attention.Attention;
import panama.attention.AttentionOptions;
import panama.attention.Backend;
import panama.attention.CausalMode;
import panama.attention.DType;
import panama.attention.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sdpa}: attention on NumPy files. Inputs are memory-mapped, never copied onto the heap;
 * the output keeps q's dtype and shape.
 */
final class Sdpa {
    static final String USAGE = """
            sdpa --q F --k F --v F --out F [--lse F] [--mask F] [--key-lengths F]
                 [--causal none|top-left|bottom-right] [--scale S] [--backend NAME]
                 [--window L,R] [--softcap C] [--alibi-slopes F]
                Scaled dot-product attention on .npy files. q is [batch, heads, Lq, headDim],
                k and v [batch, kvHeads, Lk, headDim] (kvHeads divides heads), all float32 ('<f4')
                or all float16 ('<f2'), C order. out gets q's dtype and shape. --lse writes the
                float32 log-sum-exp [batch, heads, Lq]. --mask is an additive float32 array
                broadcastable to [batch|1, heads|1, Lq, Lk] (or [Lq, Lk]). --key-lengths is an
                int32 or int64 [batch] of valid keys per batch. --scale defaults to 1/sqrt(headDim);
                --backend is AUTO (default), NATIVE_CPU, JAVA_VECTOR, BLAS or JAVA_REFERENCE.
                --window L,R is a sliding window around the causal diagonal (-1: unbounded side),
                --softcap C caps the logits at C·tanh(x/C), --alibi-slopes is a float32 [heads]
                of ALiBi slopes; these run on NATIVE_CPU and JAVA_REFERENCE.""";

    /** The command line of {@code sdpa}. */
    @Command(name = "sdpa")
    static final class Opts {
        @Option(names = "--q", required = true)
        Path q;
        @Option(names = "--k", required = true)
        Path k;
        @Option(names = "--v", required = true)
        Path v;
        @Option(names = "--out", required = true)
        Path out;
        @Option(names = "--lse")
        Path lse;
        @Option(names = "--mask")
        Path mask;
        @Option(names = "--key-lengths")
        Path keyLengths;
        @Option(names = "--causal", converter = Args.CausalConverter.class)
        CausalMode causal = CausalMode.NONE;
        @Option(names = "--scale", converter = Args.FiniteFloatConverter.class)
        Float scale;
        @Option(names = "--backend", converter = Args.BackendConverter.class)
        Backend backend = Backend.AUTO;
        @Option(names = "--window", converter = Args.WindowConverter.class)
        Args.Window window;
        @Option(names = "--softcap", converter = Args.FiniteFloatConverter.class)
        Float softcap;
        @Option(names = "--alibi-slopes")
        Path alibiSlopes;

        @Option(names = {"-h", "--help"}, usageHelp = true)
        boolean help;
    }

    private Sdpa() {
    }

    static int run(Opts o, PrintStream out) throws CliException, IOException {
        Path qPath = o.q;
        Path kPath = o.k;
        Path vPath = o.v;
        Path outPath = o.out;
        Path lsePath = o.lse;
        Path maskPath = o.mask;
        Path klPath = o.keyLengths;
        CausalMode causal = o.causal;
        float scale = o.scale == null ? Float.NaN : o.scale;
        Backend backend = o.backend;
        if (lsePath != null && lsePath.toAbsolutePath().normalize().equals(outPath.toAbsolutePath().normalize())) {
            throw CliException.usage("sdpa: --out and --lse name the same file " + outPath);
        }
        requireWritableDir("--out", outPath);
        if (lsePath != null) {
            requireWritableDir("--lse", lsePath);
        }

        try (Arena arena = Arena.ofConfined()) {
            Tensor q = attentionInput(arena, "--q", qPath, null);
            Tensor k = attentionInput(arena, "--k", kPath, q.dtype());
            Tensor v = attentionInput(arena, "--v", vPath, q.dtype());
            AttentionOptions.Builder b = AttentionOptions.builder().causal(causal).softmaxScale(scale).backend(backend);
            if (maskPath != null) {
                b.mask(mask(arena, maskPath));
            }
            if (klPath != null) {
                b.keyLengths(keyLengths(arena, klPath));
            }
            if (o.window != null) {
                b.window(o.window.left(), o.window.right());
            }
            if (o.softcap != null) {
                if (o.softcap < 0) {
                    throw CliException.usage("sdpa: --softcap " + o.softcap + " must be >= 0 (0: off)");
                }
                b.softcap(o.softcap);
            }
            if (o.alibiSlopes != null) {
                b.alibiSlopes(alibiSlopes(arena, o.alibiSlopes));
            }
            Tensor lse = null;
            if (lsePath != null) {
                lse = Tensor.allocate(arena, DType.F32, q.size(0), q.size(1), q.size(2));
                b.lse(lse);
            }
            Tensor result = Tensor.allocate(arena, q.dtype(), q.shape());
            AttentionOptions options = b.build();
            Attention.select(q, k, v, result, options); // loads the backend's library outside the timing
            long t0 = System.nanoTime();
            Backend ran = Attention.sdpa(q, k, v, result, options);
            double ms = (System.nanoTime() - t0) / 1e6;

            Npy.write(outPath, q.dtype() == DType.F16 ? Npy.Kind.F16 : Npy.Kind.F32, q.shape(), result.segment());
            if (lse != null) {
                Npy.write(lsePath, Npy.Kind.F32, lse.shape(), lse.segment());
            }
            out.printf(Locale.ROOT, "sdpa: %s %s q%s k%s causal %s: %.3f ms -> %s%s%n", ran,
                    q.dtype() == DType.F16 ? "f16" : "f32", Npy.shapeString(q.shape()), Npy.shapeString(k.shape()),
                    Args.lower(causal), ms, outPath, lsePath == null ? "" : ", lse -> " + lsePath);
            return 0;
        }
    }

    private static void requireWritableDir(String option, Path file) throws CliException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw CliException.runtime(option + " " + file + ": folder " + dir + " does not exist");
        }
        if (Files.isDirectory(file)) {
            throw CliException.runtime(option + " " + file + ": is a directory");
        }
    }

    /** q, k or v: a 4-D float32 or float16 array; k and v must match q's dtype. */
    private static Tensor attentionInput(Arena arena, String option, Path path, DType want)
            throws IOException, CliException {
        Npy.Array a = read(arena, option, path);
        DType dtype = switch (a.kind()) {
            case F32 -> DType.F32;
            case F16 -> DType.F16;
            default -> throw CliException.runtime(option + " " + path + ": dtype '" + a.kind().descr()
                    + "' is not float32 ('<f4') or float16 ('<f2')");
        };
        if (a.rank() != 4) {
            throw CliException.runtime(option + " " + path + ": shape " + Npy.shapeString(a.shape())
                    + " is not 4-D [batch, heads, seq, headDim]");
        }
        if (want != null && dtype != want) {
            throw CliException.runtime(option + " " + path + ": dtype '" + a.kind().descr() + "' differs from --q's '"
                    + (want == DType.F16 ? "<f2" : "<f4") + "'");
        }
        return Tensor.contiguous(a.data(), dtype, a.shape());
    }

    /** An additive float32 mask, 4-D or 2-D [Lq, Lk] (viewed as [1, 1, Lq, Lk]); shapes are checked by the library. */
    private static Tensor mask(Arena arena, Path path) throws IOException, CliException {
        Npy.Array a = read(arena, "--mask", path);
        if (a.kind() != Npy.Kind.F32) {
            throw CliException.runtime("--mask " + path + ": dtype '" + a.kind().descr()
                    + "' is not float32 ('<f4'); the mask is additive float32");
        }
        long[] s = a.shape();
        if (s.length == 2) {
            s = new long[] {1, 1, s[0], s[1]};
        } else if (s.length != 4) {
            throw CliException.runtime("--mask " + path + ": shape " + Npy.shapeString(s)
                    + " is neither 4-D [batch|1, heads|1, Lq, Lk] nor 2-D [Lq, Lk]");
        }
        return Tensor.contiguous(a.data(), DType.F32, s);
    }

    /** ALiBi slopes: a float32 [heads]; the length is checked by the library. */
    private static Tensor alibiSlopes(Arena arena, Path path) throws IOException, CliException {
        Npy.Array a = read(arena, "--alibi-slopes", path);
        if (a.kind() != Npy.Kind.F32) {
            throw CliException.runtime("--alibi-slopes " + path + ": dtype '" + a.kind().descr()
                    + "' is not float32 ('<f4')");
        }
        if (a.rank() != 1) {
            throw CliException.runtime("--alibi-slopes " + path + ": shape " + Npy.shapeString(a.shape())
                    + " is not 1-D [heads]");
        }
        return Tensor.contiguous(a.data(), DType.F32, a.shape());
    }

    private static int[] keyLengths(Arena arena, Path path) throws IOException, CliException {
        Npy.Array a = read(arena, "--key-lengths", path);
        if (a.rank() != 1) {
            throw CliException.runtime("--key-lengths " + path + ": shape " + Npy.shapeString(a.shape())
                    + " is not 1-D [batch]");
        }
        int n = Math.toIntExact(a.elementCount());
        int[] lengths = new int[n];
        MemorySegment d = a.data();
        for (int i = 0; i < n; i++) {
            long value = switch (a.kind()) {
                case I32 -> d.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 4L * i);
                case I64 -> d.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 8L * i);
                default -> throw CliException.runtime("--key-lengths " + path + ": dtype '" + a.kind().descr()
                        + "' is not int32 ('<i4') or int64 ('<i8')");
            };
            if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
                throw CliException.runtime("--key-lengths " + path + ": value " + value + " at index " + i
                        + " does not fit in int32");
            }
            lengths[i] = (int) value;
        }
        return lengths;
    }

    private static Npy.Array read(Arena arena, String option, Path path) throws IOException, CliException {
        try {
            return Npy.read(path, arena);
        } catch (Npy.FormatException e) {
            throw CliException.runtime(option + " " + e.getMessage());
        } catch (java.nio.file.NoSuchFileException e) {
            throw CliException.runtime(option + " " + path + ": no such file");
        } catch (IOException e) {
            throw CliException.runtime(option + " " + path + ": " + Main.message(e));
        }
    }
}
