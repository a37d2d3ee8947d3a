package panama.attention.bench.peers;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One ONNX Runtime session over one of the tiny single-operator graphs in
 * {@code peers/onnx/} (see its README): MultiHeadAttention ([B, S, H·D] inputs, our BSHD layout)
 * or opset-23 Attention ([B, H, S, D], our BHSD layout). Inputs are wrapped without copying: ORT
 * reads our off-heap memory through direct buffers.
 */
final class OrtPeer implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final List<String> inputNames;

    OrtPeer(String model, int threads) throws IOException, OrtException {
        byte[] bytes;
        try (InputStream in = OrtPeer.class.getResourceAsStream("/peers/onnx/" + model)) {
            if (in == null) {
                throw new IOException("peers/onnx/" + model + " is not on the class path");
            }
            bytes = in.readAllBytes();
        }
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(threads);
            so.setInterOpNumThreads(1);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(bytes, so);
        }
        inputNames = List.copyOf(session.getInputNames());
    }

    static String version() {
        return OrtEnvironment.getEnvironment().getVersion();
    }

    /** Runs the graph on q, k, v (in input order) and copies the first output into out. */
    void run(MemorySegment q, long[] qShape, MemorySegment k, long[] kShape, MemorySegment v, long[] vShape,
             MemorySegment out) throws OrtException {
        Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
        try {
            inputs.put(inputNames.get(0), OnnxTensor.createTensor(env, floats(q), qShape));
            inputs.put(inputNames.get(1), OnnxTensor.createTensor(env, floats(k), kShape));
            inputs.put(inputNames.get(2), OnnxTensor.createTensor(env, floats(v), vShape));
            try (OrtSession.Result r = session.run(inputs)) {
                FloatBuffer y = ((OnnxTensor) r.get(0)).getFloatBuffer();
                floats(out).put(y);
            }
        } finally {
            for (OnnxTensor t : inputs.values()) {
                t.close();
            }
        }
    }

    private static FloatBuffer floats(MemorySegment s) {
        return s.asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
