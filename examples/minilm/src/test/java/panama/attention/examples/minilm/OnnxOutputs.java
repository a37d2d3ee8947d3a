package panama.attention.examples.minilm;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * Edits a serialized ONNX ModelProto so that ONNX Runtime also returns some intermediate values:
 * each name becomes an extra graph output (GraphProto.output = 12), a ValueInfoProto with
 * {@code name = 1} and {@code type = 2 → tensor_type = 1 → elem_type = 1 (FLOAT)}. Protobuf
 * appends repeated fields, so the graph's bytes are copied unchanged with the new entries after
 * them; every other ModelProto field is copied as read.
 */
final class OnnxOutputs {
    private OnnxOutputs() {
    }

    static byte[] expose(byte[] model, List<String> names) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(model);
        in.setSizeLimit(Integer.MAX_VALUE);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(model.length + 4096);
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (WireFormat.getTagFieldNumber(tag) == 7) {
                ByteString graph = in.readBytes();
                ByteString.Output extra = ByteString.newOutput();
                CodedOutputStream e = CodedOutputStream.newInstance(extra);
                for (String name : names) {
                    e.writeByteArray(12, valueInfo(name));
                }
                e.flush();
                out.writeBytes(7, graph.concat(extra.toByteString()));
            } else {
                in.skipField(tag, out);
            }
        }
        out.flush();
        return bytes.toByteArray();
    }

    private static byte[] valueInfo(String name) throws IOException {
        ByteArrayOutputStream tensorType = new ByteArrayOutputStream();
        CodedOutputStream t = CodedOutputStream.newInstance(tensorType);
        t.writeInt32(1, OnnxGraph.FLOAT); // TypeProto.Tensor.elem_type
        t.flush();
        ByteArrayOutputStream type = new ByteArrayOutputStream();
        CodedOutputStream ty = CodedOutputStream.newInstance(type);
        ty.writeByteArray(1, tensorType.toByteArray()); // TypeProto.tensor_type
        ty.flush();
        ByteArrayOutputStream vi = new ByteArrayOutputStream();
        CodedOutputStream v = CodedOutputStream.newInstance(vi);
        v.writeString(1, name);
        v.writeByteArray(2, type.toByteArray());
        v.flush();
        return vi.toByteArray();
    }
}
