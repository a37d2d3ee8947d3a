package panama.attention.internal;

import java.lang.foreign.Arena;
import panama.attention.Attention;
import panama.attention.Backend;
import panama.attention.BackendStatus;
import panama.attention.CausalMode;
import panama.attention.Tensor;
import panama.attention.testing.AttentionCase;
import panama.attention.testing.CaseInputs;
import panama.attention.testing.CaseTable;
import panama.attention.testing.Compare;

/**
 * Run by {@link JavaVectorFallbackTest} in a child JVM started without
 * {@code --add-modules jdk.incubator.vector}: prints JAVA_VECTOR's status and its relative error
 * against the oracle on a causal, masked case. Must not refer to the Vector API.
 */
public final class FallbackProbe {
    private FallbackProbe() {
    }

    public static void main(String[] args) {
        for (BackendStatus s : Attention.backends()) {
            if (s.backend() == Backend.JAVA_VECTOR) {
                System.out.println("status: " + s);
            }
        }
        AttentionCase c = null;
        for (AttentionCase x : CaseTable.fp32()) {
            if (x.id().equals("mask-causal-keylen")) {
                c = x;
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            CaseInputs in = new CaseInputs(arena, c, 1);
            Tensor ref = in.newOut();
            Attention.sdpa(in.q, in.k, in.v, ref, in.options(Backend.JAVA_REFERENCE, null).build());
            Tensor out = in.newOut();
            Backend ran = Attention.sdpa(in.q, in.k, in.v, out, in.options(Backend.JAVA_VECTOR, null).build());
            // a second call: the fallback is logged once, not per call
            Attention.sdpa(in.q, in.k, in.v, out, in.options(Backend.JAVA_VECTOR, null).causal(CausalMode.TOP_LEFT).build());
            System.out.println("ran: " + ran);
            System.out.println("relErr: " + Compare.relativeError(out.toFloatArray(), ref.toFloatArray()));
        }
    }
}
