package panama.attention.examples.minilm;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of an ONNX model this example needs, read with protobuf-java's wire-format reader
 * ({@link CodedInputStream}) instead of classes generated from {@code onnx.proto}: only the
 * fields below are decoded, everything else is skipped. Field numbers are those of onnx.proto
 * (IR version 3 and later):
 *
 * <pre>
 * ModelProto   graph = 7
 * GraphProto   node = 1, initializer = 5, input = 11, output = 12
 * NodeProto    input = 1, output = 2, name = 3, op_type = 4, attribute = 5
 * AttributeProto name = 1, f = 2, i = 3, t = 5, ints = 8
 * TensorProto  dims = 1, data_type = 2, float_data = 4, int64_data = 7, name = 8, raw_data = 9
 * ValueInfoProto name = 1
 * </pre>
 *
 * Initializers of type FLOAT (1) keep their values; INT64 (7) ones are kept as longs; others
 * keep only their shape.
 */
public final class OnnxGraph {
    /** ONNX TensorProto.DataType values used here. */
    public static final int FLOAT = 1;
    public static final int INT64 = 7;

    /** A graph node: {@code outputs = opType(inputs)}, with its float/int/tensor attributes. */
    public record Node(String name, String opType, List<String> inputs, List<String> outputs,
                       Map<String, Object> attributes) {
    }

    /** A constant tensor (an initializer or a Constant node's value), row-major. */
    public record Initializer(String name, long[] dims, int dataType, float[] floats, long[] longs) {
        public long elementCount() {
            long n = 1;
            for (long d : dims) {
                n *= d;
            }
            return n;
        }
    }

    private final List<Node> nodes;
    private final Map<String, Initializer> initializers;
    private final List<String> inputs;
    private final List<String> outputs;

    private OnnxGraph(List<Node> nodes, Map<String, Initializer> initializers, List<String> inputs, List<String> outputs) {
        this.nodes = nodes;
        this.initializers = initializers;
        this.inputs = inputs;
        this.outputs = outputs;
    }

    public List<Node> nodes() {
        return nodes;
    }

    public Map<String, Initializer> initializers() {
        return initializers;
    }

    public List<String> inputs() {
        return inputs;
    }

    public List<String> outputs() {
        return outputs;
    }

    /** The node with this name, or an exception naming it. */
    public Node node(String name) {
        for (Node n : nodes) {
            if (n.name().equals(name)) {
                return n;
            }
        }
        throw new IllegalArgumentException("the ONNX graph has no node named '" + name + "'");
    }

    /** The initializer with this name, or an exception naming it. */
    public Initializer initializer(String name) {
        Initializer i = initializers.get(name);
        if (i == null) {
            throw new IllegalArgumentException("the ONNX graph has no initializer named '" + name + "'");
        }
        return i;
    }

    /** The scalar value of the Constant node named {@code name}, as a double. */
    public double constant(String name) {
        Node n = node(name);
        if (!n.opType().equals("Constant") || !(n.attributes().get("value") instanceof Initializer t)) {
            throw new IllegalArgumentException("node '" + name + "' is " + n.opType() + ", not a Constant with a tensor value");
        }
        if (t.floats() != null && t.floats().length > 0) {
            return t.floats()[0];
        }
        if (t.longs() != null && t.longs().length > 0) {
            return t.longs()[0];
        }
        throw new IllegalArgumentException("Constant '" + name + "' has no float or int64 value");
    }

    /** Parses a serialized ModelProto. */
    public static OnnxGraph parse(byte[] model) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(model);
        in.setSizeLimit(Integer.MAX_VALUE);
        ByteString graph = null;
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (WireFormat.getTagFieldNumber(tag) == 7 && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                graph = in.readBytes();
            } else {
                in.skipField(tag);
            }
        }
        if (graph == null) {
            throw new IOException("not an ONNX model: no graph (ModelProto field 7)");
        }
        return parseGraph(graph);
    }

    private static OnnxGraph parseGraph(ByteString bytes) throws IOException {
        CodedInputStream in = bytes.newCodedInput();
        in.setSizeLimit(Integer.MAX_VALUE);
        List<Node> nodes = new ArrayList<>();
        Map<String, Initializer> inits = new LinkedHashMap<>();
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> nodes.add(parseNode(in.readBytes()));
                case 5 -> {
                    Initializer t = parseTensor(in.readBytes());
                    inits.put(t.name(), t);
                }
                case 11 -> inputs.add(valueInfoName(in.readBytes()));
                case 12 -> outputs.add(valueInfoName(in.readBytes()));
                default -> in.skipField(tag);
            }
        }
        return new OnnxGraph(List.copyOf(nodes), inits, List.copyOf(inputs), List.copyOf(outputs));
    }

    private static String valueInfoName(ByteString bytes) throws IOException {
        CodedInputStream in = bytes.newCodedInput();
        String name = "";
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (WireFormat.getTagFieldNumber(tag) == 1) {
                name = in.readStringRequireUtf8();
            } else {
                in.skipField(tag);
            }
        }
        return name;
    }

    private static Node parseNode(ByteString bytes) throws IOException {
        CodedInputStream in = bytes.newCodedInput();
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        Map<String, Object> attrs = new LinkedHashMap<>();
        String name = "", op = "";
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> inputs.add(in.readStringRequireUtf8());
                case 2 -> outputs.add(in.readStringRequireUtf8());
                case 3 -> name = in.readStringRequireUtf8();
                case 4 -> op = in.readStringRequireUtf8();
                case 5 -> parseAttribute(in.readBytes(), attrs);
                default -> in.skipField(tag);
            }
        }
        return new Node(name, op, List.copyOf(inputs), List.copyOf(outputs), attrs);
    }

    private static void parseAttribute(ByteString bytes, Map<String, Object> attrs) throws IOException {
        CodedInputStream in = bytes.newCodedInput();
        String name = "";
        Object value = null;
        List<Long> ints = new ArrayList<>();
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            int field = WireFormat.getTagFieldNumber(tag);
            int wire = WireFormat.getTagWireType(tag);
            if (field == 1) {
                name = in.readStringRequireUtf8();
            } else if (field == 2 && wire == WireFormat.WIRETYPE_FIXED32) {
                value = in.readFloat();
            } else if (field == 3 && wire == WireFormat.WIRETYPE_VARINT) {
                value = in.readInt64();
            } else if (field == 5 && wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                value = parseTensor(in.readBytes());
            } else if (field == 8) {
                readInt64s(in, wire, ints);
            } else {
                in.skipField(tag);
            }
        }
        if (value == null && !ints.isEmpty()) {
            value = ints.stream().mapToLong(Long::longValue).toArray();
        }
        if (value != null) {
            attrs.put(name, value);
        }
    }

    /** A repeated int64 field, packed or not. */
    private static void readInt64s(CodedInputStream in, int wire, List<Long> into) throws IOException {
        if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            int limit = in.pushLimit(in.readRawVarint32());
            while (in.getBytesUntilLimit() > 0) {
                into.add(in.readInt64());
            }
            in.popLimit(limit);
        } else {
            into.add(in.readInt64());
        }
    }

    private static Initializer parseTensor(ByteString bytes) throws IOException {
        CodedInputStream in = bytes.newCodedInput();
        in.setSizeLimit(Integer.MAX_VALUE);
        List<Long> dims = new ArrayList<>();
        List<Long> int64s = new ArrayList<>();
        int dataType = 0;
        String name = "";
        ByteString raw = null;
        List<Float> floats = new ArrayList<>();
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            int field = WireFormat.getTagFieldNumber(tag);
            int wire = WireFormat.getTagWireType(tag);
            switch (field) {
                case 1 -> readInt64s(in, wire, dims);
                case 2 -> dataType = in.readInt32();
                case 4 -> {
                    if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                        int limit = in.pushLimit(in.readRawVarint32());
                        while (in.getBytesUntilLimit() > 0) {
                            floats.add(in.readFloat());
                        }
                        in.popLimit(limit);
                    } else {
                        floats.add(in.readFloat());
                    }
                }
                case 7 -> readInt64s(in, wire, int64s);
                case 8 -> name = in.readStringRequireUtf8();
                case 9 -> raw = in.readBytes();
                default -> in.skipField(tag);
            }
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        float[] f = null;
        long[] l = null;
        if (dataType == FLOAT) {
            if (raw != null) {
                ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN); // ONNX raw_data is little-endian
                f = new float[b.remaining() / Float.BYTES];
                b.asFloatBuffer().get(f);
            } else {
                f = new float[floats.size()];
                for (int i = 0; i < f.length; i++) {
                    f[i] = floats.get(i);
                }
            }
        } else if (dataType == INT64) {
            if (raw != null) {
                ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                l = new long[b.remaining() / Long.BYTES];
                b.asLongBuffer().get(l);
            } else {
                l = int64s.stream().mapToLong(Long::longValue).toArray();
            }
        }
        Initializer t = new Initializer(name, shape, dataType, f, l);
        long n = t.elementCount();
        if ((f != null && f.length != n) || (l != null && l.length != n)) {
            throw new IOException("tensor '" + name + "' has " + (f != null ? f.length : l.length)
                    + " values for shape " + java.util.Arrays.toString(shape));
        }
        return t;
    }
}
