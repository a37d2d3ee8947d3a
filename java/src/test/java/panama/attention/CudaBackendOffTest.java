package panama.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * What the CUDA backend does where it cannot run (this build machine, CI: no GPU or no driver):
 * it reports off with a reason, forcing it throws AttentionException carrying that reason, a
 * DeviceArena cannot be opened, and device tensors are refused by every host backend without
 * ever being dereferenced. Runs everywhere; the reason-specific tests skip where a GPU works.
 */
class CudaBackendOffTest {

    static BackendStatus cudaStatus() {
        return Attention.backends().stream().filter(s -> s.backend() == Backend.CUDA).findFirst()
                .orElseThrow(() -> new AssertionError("Attention.backends() lists no CUDA entry"));
    }

    @Test
    void cudaIsListedWithAReasonWhenOff() {
        BackendStatus s = cudaStatus();
        assertFalse(s.detail() == null || s.detail().isBlank(), "CUDA status needs a detail: " + s);
        if (!s.available()) {
            // e.g. "no usable CUDA device: cudaGetDeviceCount: cudaErrorInsufficientDriver: ..." or a load failure
            assertTrue(s.detail().contains("cuda") || s.detail().contains("CUDA") || s.detail().contains("libpanattn_cuda"),
                    () -> "reason should name CUDA or the library: " + s.detail());
        }
    }

    @Test
    void forcingCudaThrowsWithTheReason() {
        BackendStatus s = cudaStatus();
        assumeFalse(s.available(), "CUDA is on here (" + s.detail() + "); the GPU tests cover it");
        try (Arena arena = Arena.ofConfined()) {
            Tensor q = Tensor.allocate(arena, DType.F32, 1, 1, 4, 32);
            Tensor out = Tensor.allocate(arena, DType.F32, 1, 1, 4, 32);
            AttentionException e = assertThrows(AttentionException.class, () -> Attention.sdpa(q, q, q, out,
                    AttentionOptions.builder().backend(Backend.CUDA).build()));
            assertTrue(e.getMessage().contains(s.detail()), () -> "message '" + e.getMessage() + "' lacks the reason '" + s.detail() + "'");
            // AUTO never picks CUDA for host tensors by default, so it still runs on the CPU
            assertTrue(Attention.sdpa(q, q, q, out, AttentionOptions.defaults()) != Backend.CUDA);
        }
    }

    @Test
    void deviceArenaFailsCleanlyWithoutAGpu() {
        BackendStatus s = cudaStatus();
        assumeFalse(s.available(), "CUDA is on here (" + s.detail() + ")");
        AttentionException e = assertThrows(AttentionException.class, DeviceArena::open);
        assertTrue(e.getMessage().contains(s.detail()), e::getMessage);
        assertThrows(AttentionException.class, () -> DeviceArena.open(3));
        assertTrue(CudaAttention.unfusedUnavailable() != null);
        try (Arena arena = Arena.ofConfined()) {
            Tensor q = Tensor.allocate(arena, DType.F32, 1, 1, 4, 32);
            Tensor out = Tensor.allocate(arena, DType.F32, 1, 1, 4, 32);
            AttentionException u = assertThrows(AttentionException.class,
                    () -> CudaAttention.unfused(q, q, q, out, AttentionOptions.defaults(), null));
            assertTrue(u.getMessage().contains(s.detail()), u::getMessage);
        }
    }

    /** A device tensor at a fake address: never dereferenced, refused by every host backend. */
    @Test
    void deviceTensorsAreNeverTouchedFromJava() {
        MemorySegment fake = MemorySegment.ofAddress(0x10000);
        Tensor d = Tensor.onDevice(fake, 4L * 1 * 2 * 8 * 32, DType.F32, new long[] {1, 2, 8, 32}, Device.cuda(0), null);
        assertEquals(Device.cuda(0), d.device());
        assertTrue(d.isOnDevice());
        assertEquals("cuda:0", d.device().toString());
        assertThrows(IllegalStateException.class, () -> d.get(0, 0, 0, 0));
        assertThrows(IllegalStateException.class, () -> d.set(1f, 0, 0, 0, 0));
        assertThrows(IllegalStateException.class, d::toFloatArray);
        Tensor view = d.narrow(2, 4, 4).transpose(1, 2);
        assertTrue(view.isOnDevice());
        assertThrows(IllegalStateException.class, () -> view.get(0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> d.view(new long[] {1, 2, 9, 32}, new long[] {576, 288, 32, 1}));

        for (Backend b : new Backend[] {Backend.JAVA_REFERENCE, Backend.NATIVE_CPU, Backend.BLAS}) {
            AttentionException e = assertThrows(AttentionException.class, () -> Attention.sdpa(d, d, d,
                    Tensor.onDevice(MemorySegment.ofAddress(0x90000), 4L * 512, DType.F32, new long[] {1, 2, 8, 32}, Device.cuda(0), null),
                    AttentionOptions.builder().backend(b).build()));
            assertTrue(e.getMessage().contains("only the CUDA backend runs on device memory"), e::getMessage);
        }
        if (!cudaStatus().available()) {
            AttentionException e = assertThrows(AttentionException.class, () -> Attention.select(d, d, d,
                    Tensor.onDevice(MemorySegment.ofAddress(0x90000), 4L * 512, DType.F32, new long[] {1, 2, 8, 32}, Device.cuda(0), null),
                    AttentionOptions.defaults()));
            assertTrue(e.getMessage().contains("CUDA cannot run this call on device tensors"), e::getMessage);
        }
        try (Arena arena = Arena.ofConfined()) {
            Tensor h = Tensor.allocate(arena, DType.F32, 1, 2, 8, 32);
            // mixing host and device tensors is refused before any native call
            assertThrows(AttentionException.class, () -> Attention.sdpa(h, h, h, d, AttentionOptions.builder().backend(Backend.CUDA).build()));
        }
    }
}
