package panama.attention;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import panama.attention.internal.CuBlas;
import panama.attention.internal.Cuda;
import panama.attention.internal.DeviceLinear;
import panama.attention.internal.GemmPlan;

/**
 * A forward call on one CUDA device: projections with cuBLAS fp32 sgemm ({@link DeviceLinear}),
 * scratch in a {@link DeviceArena} of the call, everything on the calling thread's stream.
 * Device tensors are used where they lie (any row strides with a contiguous last dimension); host
 * tensors (the slow path, device 0) are copied in, and out, the LSE and the probabilities copied
 * back by {@link #finish()}.
 */
final class MultiHeadAttentionGpu implements MultiHeadAttentionProjections {
    private final boolean host;
    private final MultiHeadAttentionWeights.OnDevice weights;
    private final DeviceArena gpu;
    private final DeviceLinear linear;
    private final Map<Tensor, Tensor> copies = new IdentityHashMap<>();
    /** {device tensor, caller's host tensor} pairs that {@link #finish()} copies back. */
    private final List<Tensor[]> staged = new ArrayList<>();

    private MultiHeadAttentionGpu(boolean host, MultiHeadAttentionWeights.OnDevice weights, DeviceArena gpu, long maxRows) {
        this.host = host;
        this.weights = weights;
        this.gpu = gpu;
        DeviceLinear l;
        try {
            l = new DeviceLinear(gpu.device().ordinal(), maxRows);
        } catch (RuntimeException e) {
            gpu.close();
            throw e;
        }
        this.linear = l;
    }

    /**
     * Checks that the call can run on a GPU (one device for xq, xkv, out and probs; a forced
     * backend that runs device memory; CUDA and cuBLAS loaded) and opens it there.
     */
    static MultiHeadAttentionGpu open(MultiHeadAttentionWeights weights, Tensor xq, Tensor xkv, Tensor out, Tensor probs,
                                      AttentionOptions options, long maxRows) {
        DeviceArena.requirePlatformThread("MultiHeadAttention on a GPU");
        boolean host = !xq.isOnDevice();
        Device device = xq.device();
        for (Tensor t : new Tensor[] {xkv, out, probs}) {
            if (t != null && !t.device().equals(device)) {
                String name = t == xkv ? "xkv" : t == out ? "out" : "probsOut";
                throw new IllegalArgumentException(name + ": lives on " + t.device() + " but " + (xq == xkv ? "x" : "xq")
                        + " on " + device + "; put xq, xkv, out (and probsOut) all on one device or all on the host");
            }
        }
        Backend forced = options.backend();
        if (!host && forced != Backend.AUTO && forced != Backend.CUDA) {
            throw new AttentionException(forced + " cannot run this call: the inputs live on " + device
                    + " (a DeviceArena); only the CUDA backend runs on device memory");
        }
        if (!host) { // host inputs are packed by the copy; device ones are used where they lie
            layout(xq, xq == xkv ? "x" : "xq", false);
            layout(xkv, "xkv", false);
            layout(out, "out", true);
            if (probs != null && !probs.isContiguous()) {
                throw new IllegalArgumentException("probsOut: on a device it must be contiguous [batch, heads, Lq, Lk], got " + probs);
            }
        }
        String off = unavailable();
        if (off != null) {
            throw new AttentionException(panama.attention.bindings.panattn_h.PANATTN_ERR_UNSUPPORTED(),
                    "MultiHeadAttention cannot run on " + (host ? "CUDA" : device.toString()) + ": " + off);
        }
        int ordinal = host ? 0 : device.ordinal();
        MultiHeadAttentionWeights.OnDevice w = weights.on(ordinal);
        return new MultiHeadAttentionGpu(host, w, DeviceArena.open(ordinal), maxRows);
    }

    /** Null when a layer can run on a GPU here (CUDA and cuBLAS load), else why not. */
    static String unavailable() {
        String err = Cuda.error();
        if (err != null) {
            return "CUDA is not available: " + err;
        }
        err = CuBlas.error();
        return err == null ? null : "cuBLAS is not available: " + err;
    }

    @Override
    public Tensor input(Tensor x, String name) {
        return host ? copies.computeIfAbsent(x, gpu::copyOf) : x;
    }

    @Override
    public Tensor output(Tensor out, String name) {
        return host ? stage(out) : out;
    }

    @Override
    public AttentionOptions options(AttentionOptions options, Tensor probs) {
        AttentionOptions.Builder b = options.toBuilder();
        if (host) {
            if (options.mask() != null) {
                b.mask(gpu.copyOf(options.mask()));
            }
            if (options.lse() != null) {
                b.lse(stage(options.lse()));
            }
        }
        return b.probabilities(probs == null || !host ? probs : stage(probs)).build();
    }

    @Override
    public Tensor scratch(long batch, long seq, long width) {
        return gpu.allocate(DType.F32, batch, seq, width);
    }

    @Override
    public void project(Tensor x, Weight w, Tensor y, String what) {
        linear.project(x.segment().address(), layout(x, "x", false), weights.weight(w), weights.bias(w),
                y.segment().address(), layout(y, "y", true), what);
    }

    @Override
    public void finish() {
        linear.synchronize();
        for (Tensor[] pair : staged) {
            gpu.copy(pair[0], pair[1]);
        }
    }

    @Override
    public void close() {
        try {
            linear.close();
        } finally {
            gpu.close();
        }
    }

    /** A device tensor for the caller's host tensor t, copied back by {@link #finish()}. */
    private Tensor stage(Tensor t) {
        Tensor d = gpu.allocate(t.dtype(), t.shape());
        staged.add(new Tensor[] {d, t});
        return d;
    }

    private static GemmPlan.Layout layout(Tensor t, String name, boolean output) {
        return GemmPlan.Layout.of(name, t.size(0), t.size(1), t.size(2), t.stride(0), t.stride(1), t.stride(2), output);
    }
}
