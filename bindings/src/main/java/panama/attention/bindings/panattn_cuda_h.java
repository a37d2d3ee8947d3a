// Written by hand in the shape jextract 22+ generates for native/include/panattn_cuda.h: not generated here.
// bindings/jextract.sh regenerates it where jextract is installed; BindingsDriftTest fails
// when it disagrees with the C side (functions, descriptors, structs, constants).

package panama.attention.bindings;

import java.lang.invoke.*;
import java.lang.foreign.*;
import java.nio.ByteOrder;
import java.util.*;
import java.util.function.*;
import java.util.stream.*;

import static java.lang.foreign.ValueLayout.*;
import static java.lang.foreign.MemoryLayout.PathElement.*;

public class panattn_cuda_h {

    panattn_cuda_h() {
        // Should not be called directly
    }

    static final Arena LIBRARY_ARENA = Arena.ofAuto();
    static final boolean TRACE_DOWNCALLS = Boolean.getBoolean("jextract.trace.downcalls");

    static void traceDowncall(String name, Object... args) {
         String traceArgs = Arrays.stream(args)
                       .map(Object::toString)
                       .collect(Collectors.joining(", "));
         System.out.printf("%s(%s)\n", name, traceArgs);
    }

    static MemorySegment findOrThrow(String symbol) {
        return SYMBOL_LOOKUP.find(symbol)
            .orElseThrow(() -> new UnsatisfiedLinkError("unresolved symbol: " + symbol));
    }

    static MethodHandle upcallHandle(Class<?> fi, String name, FunctionDescriptor fdesc) {
        try {
            return MethodHandles.lookup().findVirtual(fi, name, fdesc.toMethodType());
        } catch (ReflectiveOperationException ex) {
            throw new AssertionError(ex);
        }
    }

    static MemoryLayout align(MemoryLayout layout, long align) {
        return switch (layout) {
            case PaddingLayout p -> p;
            case ValueLayout v -> v.withByteAlignment(align);
            case GroupLayout g -> {
                MemoryLayout[] alignedMembers = g.memberLayouts().stream()
                        .map(m -> align(m, align)).toArray(MemoryLayout[]::new);
                yield g instanceof StructLayout ?
                        MemoryLayout.structLayout(alignedMembers) : MemoryLayout.unionLayout(alignedMembers);
            }
            case SequenceLayout s -> MemoryLayout.sequenceLayout(s.elementCount(), align(s.elementLayout(), align));
        };
    }

    static final SymbolLookup SYMBOL_LOOKUP = SymbolLookup.loaderLookup()
            .or(Linker.nativeLinker().defaultLookup());

    public static final ValueLayout.OfBoolean C_BOOL = ValueLayout.JAVA_BOOLEAN;
    public static final ValueLayout.OfByte C_CHAR = ValueLayout.JAVA_BYTE;
    public static final ValueLayout.OfShort C_SHORT = ValueLayout.JAVA_SHORT;
    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfLong C_LONG_LONG = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfFloat C_FLOAT = ValueLayout.JAVA_FLOAT;
    public static final ValueLayout.OfDouble C_DOUBLE = ValueLayout.JAVA_DOUBLE;
    public static final AddressLayout C_POINTER = ValueLayout.ADDRESS
            .withTargetLayout(MemoryLayout.sequenceLayout(java.lang.Long.MAX_VALUE, JAVA_BYTE));
    public static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;

    private static class panattn_cuda_abi_version {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_cuda_h.C_INT
        );

        public static final MemorySegment ADDR = panattn_cuda_h.findOrThrow("panattn_cuda_abi_version");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_abi_version()
     * }
     */
    public static FunctionDescriptor panattn_cuda_abi_version$descriptor() {
        return panattn_cuda_abi_version.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_abi_version()
     * }
     */
    public static MethodHandle panattn_cuda_abi_version$handle() {
        return panattn_cuda_abi_version.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_abi_version()
     * }
     */
    public static MemorySegment panattn_cuda_abi_version$address() {
        return panattn_cuda_abi_version.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t panattn_cuda_abi_version()
     * }
     */
    public static int panattn_cuda_abi_version() {
        var mh$ = panattn_cuda_abi_version.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_cuda_abi_version");
            }
            return (int)mh$.invokeExact();
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_cuda_last_error {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_cuda_h.C_POINTER
        );

        public static final MemorySegment ADDR = panattn_cuda_h.findOrThrow("panattn_cuda_last_error");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * const char *panattn_cuda_last_error()
     * }
     */
    public static FunctionDescriptor panattn_cuda_last_error$descriptor() {
        return panattn_cuda_last_error.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * const char *panattn_cuda_last_error()
     * }
     */
    public static MethodHandle panattn_cuda_last_error$handle() {
        return panattn_cuda_last_error.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * const char *panattn_cuda_last_error()
     * }
     */
    public static MemorySegment panattn_cuda_last_error$address() {
        return panattn_cuda_last_error.ADDR;
    }

    /**
     * {@snippet lang=c :
     * const char *panattn_cuda_last_error()
     * }
     */
    public static MemorySegment panattn_cuda_last_error() {
        var mh$ = panattn_cuda_last_error.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_cuda_last_error");
            }
            return (MemorySegment)mh$.invokeExact();
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_cuda_device_count {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_cuda_h.C_INT, panattn_cuda_h.C_POINTER
        );

        public static final MemorySegment ADDR = panattn_cuda_h.findOrThrow("panattn_cuda_device_count");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_device_count(int32_t *count)
     * }
     */
    public static FunctionDescriptor panattn_cuda_device_count$descriptor() {
        return panattn_cuda_device_count.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_device_count(int32_t *count)
     * }
     */
    public static MethodHandle panattn_cuda_device_count$handle() {
        return panattn_cuda_device_count.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_device_count(int32_t *count)
     * }
     */
    public static MemorySegment panattn_cuda_device_count$address() {
        return panattn_cuda_device_count.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t panattn_cuda_device_count(int32_t *count)
     * }
     */
    public static int panattn_cuda_device_count(MemorySegment count) {
        var mh$ = panattn_cuda_device_count.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_cuda_device_count", count);
            }
            return (int)mh$.invokeExact(count);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_cuda_selftest_saxpy {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_cuda_h.C_INT, panattn_cuda_h.C_FLOAT, panattn_cuda_h.C_POINTER, panattn_cuda_h.C_POINTER, panattn_cuda_h.C_INT
        );

        public static final MemorySegment ADDR = panattn_cuda_h.findOrThrow("panattn_cuda_selftest_saxpy");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_selftest_saxpy(float a, const float *x, float *y, int32_t n)
     * }
     */
    public static FunctionDescriptor panattn_cuda_selftest_saxpy$descriptor() {
        return panattn_cuda_selftest_saxpy.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_selftest_saxpy(float a, const float *x, float *y, int32_t n)
     * }
     */
    public static MethodHandle panattn_cuda_selftest_saxpy$handle() {
        return panattn_cuda_selftest_saxpy.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_selftest_saxpy(float a, const float *x, float *y, int32_t n)
     * }
     */
    public static MemorySegment panattn_cuda_selftest_saxpy$address() {
        return panattn_cuda_selftest_saxpy.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t panattn_cuda_selftest_saxpy(float a, const float *x, float *y, int32_t n)
     * }
     */
    public static int panattn_cuda_selftest_saxpy(float a, MemorySegment x, MemorySegment y, int n) {
        var mh$ = panattn_cuda_selftest_saxpy.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_cuda_selftest_saxpy", a, x, y, n);
            }
            return (int)mh$.invokeExact(a, x, y, n);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_cuda_device_describe {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_cuda_h.C_INT, panattn_cuda_h.C_INT, panattn_cuda_h.C_POINTER, panattn_cuda_h.C_LONG
        );

        public static final MemorySegment ADDR = panattn_cuda_h.findOrThrow("panattn_cuda_device_describe");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_device_describe(int32_t device, char *buf, int64_t cap)
     * }
     */
    public static FunctionDescriptor panattn_cuda_device_describe$descriptor() {
        return panattn_cuda_device_describe.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_device_describe(int32_t device, char *buf, int64_t cap)
     * }
     */
    public static MethodHandle panattn_cuda_device_describe$handle() {
        return panattn_cuda_device_describe.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_device_describe(int32_t device, char *buf, int64_t cap)
     * }
     */
    public static MemorySegment panattn_cuda_device_describe$address() {
        return panattn_cuda_device_describe.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t panattn_cuda_device_describe(int32_t device, char *buf, int64_t cap)
     * }
     */
    public static int panattn_cuda_device_describe(int device, MemorySegment buf, long cap) {
        var mh$ = panattn_cuda_device_describe.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_cuda_device_describe", device, buf, cap);
            }
            return (int)mh$.invokeExact(device, buf, cap);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_cuda_malloc {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_cuda_h.C_INT, panattn_cuda_h.C_INT, panattn_cuda_h.C_LONG, panattn_cuda_h.C_POINTER
        );

        public static final MemorySegment ADDR = panattn_cuda_h.findOrThrow("panattn_cuda_malloc");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_malloc(int32_t device, int64_t bytes, void **ptr)
     * }
     */
    public static FunctionDescriptor panattn_cuda_malloc$descriptor() {
        return panattn_cuda_malloc.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_malloc(int32_t device, int64_t bytes, void **ptr)
     * }
     */
    public static MethodHandle panattn_cuda_malloc$handle() {
        return panattn_cuda_malloc.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_malloc(int32_t device, int64_t bytes, void **ptr)
     * }
     */
    public static MemorySegment panattn_cuda_malloc$address() {
        return panattn_cuda_malloc.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t panattn_cuda_malloc(int32_t device, int64_t bytes, void **ptr)
     * }
     */
    public static int panattn_cuda_malloc(int device, long bytes, MemorySegment ptr) {
        var mh$ = panattn_cuda_malloc.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_cuda_malloc", device, bytes, ptr);
            }
            return (int)mh$.invokeExact(device, bytes, ptr);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_cuda_free {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_cuda_h.C_INT, panattn_cuda_h.C_INT, panattn_cuda_h.C_POINTER
        );

        public static final MemorySegment ADDR = panattn_cuda_h.findOrThrow("panattn_cuda_free");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_free(int32_t device, void *ptr)
     * }
     */
    public static FunctionDescriptor panattn_cuda_free$descriptor() {
        return panattn_cuda_free.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_free(int32_t device, void *ptr)
     * }
     */
    public static MethodHandle panattn_cuda_free$handle() {
        return panattn_cuda_free.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_free(int32_t device, void *ptr)
     * }
     */
    public static MemorySegment panattn_cuda_free$address() {
        return panattn_cuda_free.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t panattn_cuda_free(int32_t device, void *ptr)
     * }
     */
    public static int panattn_cuda_free(int device, MemorySegment ptr) {
        var mh$ = panattn_cuda_free.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_cuda_free", device, ptr);
            }
            return (int)mh$.invokeExact(device, ptr);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_cuda_malloc_host {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_cuda_h.C_INT, panattn_cuda_h.C_LONG, panattn_cuda_h.C_POINTER
        );

        public static final MemorySegment ADDR = panattn_cuda_h.findOrThrow("panattn_cuda_malloc_host");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_malloc_host(int64_t bytes, void **ptr)
     * }
     */
    public static FunctionDescriptor panattn_cuda_malloc_host$descriptor() {
        return panattn_cuda_malloc_host.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_malloc_host(int64_t bytes, void **ptr)
     * }
     */
    public static MethodHandle panattn_cuda_malloc_host$handle() {
        return panattn_cuda_malloc_host.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_malloc_host(int64_t bytes, void **ptr)
     * }
     */
    public static MemorySegment panattn_cuda_malloc_host$address() {
        return panattn_cuda_malloc_host.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t panattn_cuda_malloc_host(int64_t bytes, void **ptr)
     * }
     */
    public static int panattn_cuda_malloc_host(long bytes, MemorySegment ptr) {
        var mh$ = panattn_cuda_malloc_host.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_cuda_malloc_host", bytes, ptr);
            }
            return (int)mh$.invokeExact(bytes, ptr);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_cuda_free_host {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_cuda_h.C_INT, panattn_cuda_h.C_POINTER
        );

        public static final MemorySegment ADDR = panattn_cuda_h.findOrThrow("panattn_cuda_free_host");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_free_host(void *ptr)
     * }
     */
    public static FunctionDescriptor panattn_cuda_free_host$descriptor() {
        return panattn_cuda_free_host.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_free_host(void *ptr)
     * }
     */
    public static MethodHandle panattn_cuda_free_host$handle() {
        return panattn_cuda_free_host.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_free_host(void *ptr)
     * }
     */
    public static MemorySegment panattn_cuda_free_host$address() {
        return panattn_cuda_free_host.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t panattn_cuda_free_host(void *ptr)
     * }
     */
    public static int panattn_cuda_free_host(MemorySegment ptr) {
        var mh$ = panattn_cuda_free_host.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_cuda_free_host", ptr);
            }
            return (int)mh$.invokeExact(ptr);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_cuda_stream_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_cuda_h.C_INT, panattn_cuda_h.C_INT, panattn_cuda_h.C_POINTER
        );

        public static final MemorySegment ADDR = panattn_cuda_h.findOrThrow("panattn_cuda_stream_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_stream_create(int32_t device, void **stream)
     * }
     */
    public static FunctionDescriptor panattn_cuda_stream_create$descriptor() {
        return panattn_cuda_stream_create.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_stream_create(int32_t device, void **stream)
     * }
     */
    public static MethodHandle panattn_cuda_stream_create$handle() {
        return panattn_cuda_stream_create.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_stream_create(int32_t device, void **stream)
     * }
     */
    public static MemorySegment panattn_cuda_stream_create$address() {
        return panattn_cuda_stream_create.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t panattn_cuda_stream_create(int32_t device, void **stream)
     * }
     */
    public static int panattn_cuda_stream_create(int device, MemorySegment stream) {
        var mh$ = panattn_cuda_stream_create.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_cuda_stream_create", device, stream);
            }
            return (int)mh$.invokeExact(device, stream);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_cuda_stream_destroy {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_cuda_h.C_INT, panattn_cuda_h.C_INT, panattn_cuda_h.C_POINTER
        );

        public static final MemorySegment ADDR = panattn_cuda_h.findOrThrow("panattn_cuda_stream_destroy");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_stream_destroy(int32_t device, void *stream)
     * }
     */
    public static FunctionDescriptor panattn_cuda_stream_destroy$descriptor() {
        return panattn_cuda_stream_destroy.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_stream_destroy(int32_t device, void *stream)
     * }
     */
    public static MethodHandle panattn_cuda_stream_destroy$handle() {
        return panattn_cuda_stream_destroy.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_stream_destroy(int32_t device, void *stream)
     * }
     */
    public static MemorySegment panattn_cuda_stream_destroy$address() {
        return panattn_cuda_stream_destroy.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t panattn_cuda_stream_destroy(int32_t device, void *stream)
     * }
     */
    public static int panattn_cuda_stream_destroy(int device, MemorySegment stream) {
        var mh$ = panattn_cuda_stream_destroy.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_cuda_stream_destroy", device, stream);
            }
            return (int)mh$.invokeExact(device, stream);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_cuda_stream_synchronize {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_cuda_h.C_INT, panattn_cuda_h.C_INT, panattn_cuda_h.C_POINTER
        );

        public static final MemorySegment ADDR = panattn_cuda_h.findOrThrow("panattn_cuda_stream_synchronize");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_stream_synchronize(int32_t device, void *stream)
     * }
     */
    public static FunctionDescriptor panattn_cuda_stream_synchronize$descriptor() {
        return panattn_cuda_stream_synchronize.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_stream_synchronize(int32_t device, void *stream)
     * }
     */
    public static MethodHandle panattn_cuda_stream_synchronize$handle() {
        return panattn_cuda_stream_synchronize.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_stream_synchronize(int32_t device, void *stream)
     * }
     */
    public static MemorySegment panattn_cuda_stream_synchronize$address() {
        return panattn_cuda_stream_synchronize.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t panattn_cuda_stream_synchronize(int32_t device, void *stream)
     * }
     */
    public static int panattn_cuda_stream_synchronize(int device, MemorySegment stream) {
        var mh$ = panattn_cuda_stream_synchronize.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_cuda_stream_synchronize", device, stream);
            }
            return (int)mh$.invokeExact(device, stream);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_cuda_memcpy {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_cuda_h.C_INT, panattn_cuda_h.C_INT, panattn_cuda_h.C_POINTER, panattn_cuda_h.C_POINTER, panattn_cuda_h.C_LONG, panattn_cuda_h.C_POINTER
        );

        public static final MemorySegment ADDR = panattn_cuda_h.findOrThrow("panattn_cuda_memcpy");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_memcpy(int32_t device, void *dst, const void *src, int64_t bytes, void *stream)
     * }
     */
    public static FunctionDescriptor panattn_cuda_memcpy$descriptor() {
        return panattn_cuda_memcpy.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_memcpy(int32_t device, void *dst, const void *src, int64_t bytes, void *stream)
     * }
     */
    public static MethodHandle panattn_cuda_memcpy$handle() {
        return panattn_cuda_memcpy.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_memcpy(int32_t device, void *dst, const void *src, int64_t bytes, void *stream)
     * }
     */
    public static MemorySegment panattn_cuda_memcpy$address() {
        return panattn_cuda_memcpy.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t panattn_cuda_memcpy(int32_t device, void *dst, const void *src, int64_t bytes, void *stream)
     * }
     */
    public static int panattn_cuda_memcpy(int device, MemorySegment dst, MemorySegment src, long bytes, MemorySegment stream) {
        var mh$ = panattn_cuda_memcpy.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_cuda_memcpy", device, dst, src, bytes, stream);
            }
            return (int)mh$.invokeExact(device, dst, src, bytes, stream);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_cuda_memset {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_cuda_h.C_INT, panattn_cuda_h.C_INT, panattn_cuda_h.C_POINTER, panattn_cuda_h.C_INT, panattn_cuda_h.C_LONG, panattn_cuda_h.C_POINTER
        );

        public static final MemorySegment ADDR = panattn_cuda_h.findOrThrow("panattn_cuda_memset");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_memset(int32_t device, void *ptr, int32_t value, int64_t bytes, void *stream)
     * }
     */
    public static FunctionDescriptor panattn_cuda_memset$descriptor() {
        return panattn_cuda_memset.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_memset(int32_t device, void *ptr, int32_t value, int64_t bytes, void *stream)
     * }
     */
    public static MethodHandle panattn_cuda_memset$handle() {
        return panattn_cuda_memset.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_memset(int32_t device, void *ptr, int32_t value, int64_t bytes, void *stream)
     * }
     */
    public static MemorySegment panattn_cuda_memset$address() {
        return panattn_cuda_memset.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t panattn_cuda_memset(int32_t device, void *ptr, int32_t value, int64_t bytes, void *stream)
     * }
     */
    public static int panattn_cuda_memset(int device, MemorySegment ptr, int value, long bytes, MemorySegment stream) {
        var mh$ = panattn_cuda_memset.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_cuda_memset", device, ptr, value, bytes, stream);
            }
            return (int)mh$.invokeExact(device, ptr, value, bytes, stream);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_cuda_validate {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_cuda_h.C_INT, panattn_cuda_h.C_POINTER
        );

        public static final MemorySegment ADDR = panattn_cuda_h.findOrThrow("panattn_cuda_validate");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_validate(const panattn_params *p)
     * }
     */
    public static FunctionDescriptor panattn_cuda_validate$descriptor() {
        return panattn_cuda_validate.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_validate(const panattn_params *p)
     * }
     */
    public static MethodHandle panattn_cuda_validate$handle() {
        return panattn_cuda_validate.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_validate(const panattn_params *p)
     * }
     */
    public static MemorySegment panattn_cuda_validate$address() {
        return panattn_cuda_validate.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t panattn_cuda_validate(const panattn_params *p)
     * }
     */
    public static int panattn_cuda_validate(MemorySegment p) {
        var mh$ = panattn_cuda_validate.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_cuda_validate", p);
            }
            return (int)mh$.invokeExact(p);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_cuda_forward {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_cuda_h.C_INT, panattn_cuda_h.C_POINTER, panattn_cuda_h.C_INT, panattn_cuda_h.C_INT, panattn_cuda_h.C_INT, panattn_cuda_h.C_POINTER
        );

        public static final MemorySegment ADDR = panattn_cuda_h.findOrThrow("panattn_cuda_forward");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_forward(const panattn_params *p, int32_t device, int32_t kernel, int32_t num_splits, void *stream)
     * }
     */
    public static FunctionDescriptor panattn_cuda_forward$descriptor() {
        return panattn_cuda_forward.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_forward(const panattn_params *p, int32_t device, int32_t kernel, int32_t num_splits, void *stream)
     * }
     */
    public static MethodHandle panattn_cuda_forward$handle() {
        return panattn_cuda_forward.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_forward(const panattn_params *p, int32_t device, int32_t kernel, int32_t num_splits, void *stream)
     * }
     */
    public static MemorySegment panattn_cuda_forward$address() {
        return panattn_cuda_forward.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t panattn_cuda_forward(const panattn_params *p, int32_t device, int32_t kernel, int32_t num_splits, void *stream)
     * }
     */
    public static int panattn_cuda_forward(MemorySegment p, int device, int kernel, int num_splits, MemorySegment stream) {
        var mh$ = panattn_cuda_forward.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_cuda_forward", p, device, kernel, num_splits, stream);
            }
            return (int)mh$.invokeExact(p, device, kernel, num_splits, stream);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_cuda_masked_softmax {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_cuda_h.C_INT, panattn_cuda_h.C_POINTER, panattn_cuda_h.C_INT, panattn_cuda_h.C_POINTER, panattn_cuda_h.C_POINTER, panattn_cuda_h.C_LONG, panattn_cuda_h.C_LONG, panattn_cuda_h.C_LONG, panattn_cuda_h.C_LONG, panattn_cuda_h.C_POINTER
        );

        public static final MemorySegment ADDR = panattn_cuda_h.findOrThrow("panattn_cuda_masked_softmax");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_masked_softmax(const panattn_params *p, int32_t device, float *scores, void *probs_lowp, int64_t b0, int64_t nb, int64_t h0, int64_t nh, void *stream)
     * }
     */
    public static FunctionDescriptor panattn_cuda_masked_softmax$descriptor() {
        return panattn_cuda_masked_softmax.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_masked_softmax(const panattn_params *p, int32_t device, float *scores, void *probs_lowp, int64_t b0, int64_t nb, int64_t h0, int64_t nh, void *stream)
     * }
     */
    public static MethodHandle panattn_cuda_masked_softmax$handle() {
        return panattn_cuda_masked_softmax.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t panattn_cuda_masked_softmax(const panattn_params *p, int32_t device, float *scores, void *probs_lowp, int64_t b0, int64_t nb, int64_t h0, int64_t nh, void *stream)
     * }
     */
    public static MemorySegment panattn_cuda_masked_softmax$address() {
        return panattn_cuda_masked_softmax.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t panattn_cuda_masked_softmax(const panattn_params *p, int32_t device, float *scores, void *probs_lowp, int64_t b0, int64_t nb, int64_t h0, int64_t nh, void *stream)
     * }
     */
    public static int panattn_cuda_masked_softmax(MemorySegment p, int device, MemorySegment scores, MemorySegment probs_lowp, long b0, long nb, long h0, long nh, MemorySegment stream) {
        var mh$ = panattn_cuda_masked_softmax.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_cuda_masked_softmax", p, device, scores, probs_lowp, b0, nb, h0, nh, stream);
            }
            return (int)mh$.invokeExact(p, device, scores, probs_lowp, b0, nb, h0, nh, stream);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }
    private static final int PANATTN_CUDA_ABI_VERSION = (int)3L;
    /**
     * {@snippet lang=c :
     * #define PANATTN_CUDA_ABI_VERSION 3
     * }
     */
    public static int PANATTN_CUDA_ABI_VERSION() {
        return PANATTN_CUDA_ABI_VERSION;
    }
    private static final int PANATTN_CUDA_KERNEL_AUTO = (int)0L;
    /**
     * {@snippet lang=c :
     * #define PANATTN_CUDA_KERNEL_AUTO 0
     * }
     */
    public static int PANATTN_CUDA_KERNEL_AUTO() {
        return PANATTN_CUDA_KERNEL_AUTO;
    }
    private static final int PANATTN_CUDA_KERNEL_FUSED = (int)1L;
    /**
     * {@snippet lang=c :
     * #define PANATTN_CUDA_KERNEL_FUSED 1
     * }
     */
    public static int PANATTN_CUDA_KERNEL_FUSED() {
        return PANATTN_CUDA_KERNEL_FUSED;
    }
    private static final int PANATTN_CUDA_KERNEL_SIMT = (int)2L;
    /**
     * {@snippet lang=c :
     * #define PANATTN_CUDA_KERNEL_SIMT 2
     * }
     */
    public static int PANATTN_CUDA_KERNEL_SIMT() {
        return PANATTN_CUDA_KERNEL_SIMT;
    }
    private static final int PANATTN_CUDA_KERNEL_SPLIT_KV = (int)3L;
    /**
     * {@snippet lang=c :
     * #define PANATTN_CUDA_KERNEL_SPLIT_KV 3
     * }
     */
    public static int PANATTN_CUDA_KERNEL_SPLIT_KV() {
        return PANATTN_CUDA_KERNEL_SPLIT_KV;
    }
}
