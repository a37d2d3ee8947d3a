package panama.attention.examples.minilm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import panama.attention.Attention;
import panama.attention.Backend;
import panama.attention.BackendStatus;
import panama.attention.testing.Compare;

/**
 * all-MiniLM-L6-v2 through MultiHeadAttention against ONNX Runtime running the same ONNX file:
 * sentence embeddings, last hidden states and every layer's attention probabilities (ORT's
 * Softmax outputs, exposed as extra graph outputs), on a padded batch of four sentences.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MiniLmOrtTest {
    static final double TOL = 1e-4;
    static final List<String> SENTENCES = List.of(
            "The cat, which was hungry, ate the fish.",
            "Hello world",
            "Panama brings the foreign function and memory API to Java, so attention kernels written in C "
                    + "run on off-heap tensors without JNI.",
            "A man is playing a guitar.");

    MiniLm model;
    long[][] ids;
    int seq;
    float[][] ortEmbeddings;
    float[] ortHidden;
    List<float[]> ortProbs = new ArrayList<>();

    @BeforeAll
    void runOnnxRuntime() throws Exception {
        byte[] onnx;
        try (InputStream in = MiniLm.class.getResourceAsStream(MiniLm.MODEL_RESOURCE)) {
            assertNotNull(in, "model resource");
            onnx = in.readAllBytes();
        }
        try (InputStream tok = MiniLm.class.getResourceAsStream(MiniLm.TOKENIZER_RESOURCE)) {
            model = MiniLm.load(onnx, tok);
        }
        ids = new long[SENTENCES.size()][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = model.tokenize(SENTENCES.get(i)).ids();
            seq = Math.max(seq, ids[i].length);
        }
        int batch = ids.length;
        long[][] inputIds = new long[batch][seq];
        long[][] mask = new long[batch][seq];
        long[][] types = new long[batch][seq];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < ids[b].length; t++) {
                inputIds[b][t] = ids[b][t];
                mask[b][t] = 1;
            }
        }
        List<String> softmax = new ArrayList<>();
        for (int l = 0; l < model.layers(); l++) {
            softmax.add("/encoder/layer." + l + "/attention/self/Softmax_output_0");
        }
        OnnxGraph g = OnnxGraph.parse(onnx);
        assertEquals(List.of("last_hidden_state"), g.outputs(), "the model's own output");
        byte[] exposed = OnnxOutputs.expose(onnx, softmax);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(exposed, so);
             OnnxTensor tIds = OnnxTensor.createTensor(env, inputIds);
             OnnxTensor tMask = OnnxTensor.createTensor(env, mask);
             OnnxTensor tTypes = OnnxTensor.createTensor(env, types)) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put("input_ids", tIds);
            inputs.put("attention_mask", tMask);
            inputs.put("token_type_ids", tTypes);
            try (OrtSession.Result r = session.run(inputs)) {
                float[][][] hidden = (float[][][]) r.get("last_hidden_state").orElseThrow().getValue();
                ortHidden = new float[batch * seq * model.hidden()];
                for (int b = 0; b < batch; b++) {
                    for (int t = 0; t < seq; t++) {
                        System.arraycopy(hidden[b][t], 0, ortHidden, (b * seq + t) * model.hidden(), model.hidden());
                    }
                }
                ortEmbeddings = new float[batch][];
                for (int b = 0; b < batch; b++) {
                    // sentence-transformers pooling on ORT's output: masked mean, then L2 normalisation
                    ortEmbeddings[b] = MiniLm.meanPoolNormalize(ortHidden, b, seq, ids[b].length, model.hidden());
                }
                for (String name : softmax) {
                    float[][][][] p = (float[][][][]) r.get(name).orElseThrow().getValue();
                    float[] flat = new float[batch * model.heads() * seq * seq];
                    int i = 0;
                    for (float[][][] a : p) {
                        for (float[][] b : a) {
                            for (float[] c : b) {
                                System.arraycopy(c, 0, flat, i, c.length);
                                i += c.length;
                            }
                        }
                    }
                    ortProbs.add(flat);
                }
            }
        }
    }

    @AfterAll
    void close() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void readsTheArchitectureFromTheGraph() {
        assertEquals(6, model.layers());
        assertEquals(12, model.heads());
        assertEquals(32, model.headDim());
        assertEquals(384, model.hidden());
        assertEquals(1536, model.intermediate());
        assertEquals((float) (1 / Math.sqrt(32)), model.softmaxScale(), 1e-7f);
        MiniLm.Tokens t = model.tokenize("The cat, which was hungry, ate the fish.");
        assertArrayEquals(new String[] {"[CLS]", "the", "cat", ",", "which", "was", "hungry", ",", "ate", "the", "fish", ".", "[SEP]"},
                t.tokens());
        assertArrayEquals(new long[] {101, 1996, 4937, 1010, 2029, 2001, 7501, 1010, 8823, 1996, 3869, 1012, 102}, t.ids());
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void embeddingsHiddenStatesAndProbabilitiesMatchOnnxRuntime(Backend backend) {
        if (backend != Backend.AUTO) {
            for (BackendStatus s : Attention.backends()) {
                if (s.backend() == backend) {
                    assumeTrue(s.available(), () -> backend + " is off here: " + s.detail());
                }
            }
        }
        MiniLm.Result r = model.run(ids, backend, true);
        assertEquals(seq, r.seq());
        StringBuilder report = new StringBuilder(backend + ":");
        for (int b = 0; b < ids.length; b++) {
            double err = Compare.relativeError(r.embeddings()[b], ortEmbeddings[b]);
            report.append(String.format(" emb[%d] %.1e", b, err));
            final int sentence = b;
            assertTrue(err <= TOL, () -> "sentence " + sentence + " embedding: relative error " + err
                    + Compare.firstMismatches(r.embeddings()[sentence], ortEmbeddings[sentence], TOL, 5));
            float[] got = slice(r.hiddenStates(), b, ids[b].length);
            float[] want = slice(ortHidden, b, ids[b].length);
            double herr = Compare.relativeError(got, want);
            assertTrue(herr <= TOL, () -> "sentence " + sentence + " hidden states: relative error " + herr);
        }
        for (int l = 0; l < model.layers(); l++) {
            float[] got = r.probs().get(l), want = ortProbs.get(l);
            double err = Compare.relativeError(got, want);
            report.append(String.format(" p%d %.1e", l, err));
            final int layer = l;
            assertTrue(err <= TOL, () -> "layer " + layer + " probabilities: relative error " + err
                    + Compare.firstMismatches(got, want, TOL, 5));
        }
        System.out.println(report);
    }

    @Test
    void whichAttendsToCatInSomeHeadOfLayer3() {
        MiniLm.Tokens t = model.tokenize("The cat, which was hungry, ate the fish.");
        MiniLm.Result r = model.run(new long[][] {t.ids()}, Backend.AUTO, true);
        int seq = t.tokens().length;
        int which = AttentionMaps.indexOf(t.tokens(), "which");
        int cat = AttentionMaps.indexOf(t.tokens(), "cat");
        float[] p = r.probs().get(3);
        boolean found = false;
        for (int h = 0; h < model.heads(); h++) {
            found |= AttentionMaps.top(p, seq, h, which, 1).get(0).key() == cat;
        }
        assertTrue(found, "in layer 3 some head's strongest key for 'which' is 'cat'");
        AttentionMaps.HeadWeight hw = AttentionMaps.strongestHead(p, model.heads(), seq, which, cat);
        assertTrue(hw.weight() > 0.4f, "which -> cat weight " + hw.weight() + " in head " + hw.head());
    }

    private float[] slice(float[] hidden, int b, int length) {
        float[] out = new float[length * model.hidden()];
        System.arraycopy(hidden, b * seq * model.hidden(), out, 0, out.length);
        return out;
    }
}
