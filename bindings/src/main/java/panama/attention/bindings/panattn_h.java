// Written by hand in the shape jextract 22+ generates for native/include/panattn.h: not generated here.
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

public class panattn_h {

    panattn_h() {
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

    private static final int PANATTN_OK = (int)0L;
    /**
     * {@snippet lang=c :
     * enum panattn_status.PANATTN_OK = 0
     * }
     */
    public static int PANATTN_OK() {
        return PANATTN_OK;
    }
    private static final int PANATTN_ERR_INVALID_ARGUMENT = (int)1L;
    /**
     * {@snippet lang=c :
     * enum panattn_status.PANATTN_ERR_INVALID_ARGUMENT = 1
     * }
     */
    public static int PANATTN_ERR_INVALID_ARGUMENT() {
        return PANATTN_ERR_INVALID_ARGUMENT;
    }
    private static final int PANATTN_ERR_UNSUPPORTED = (int)2L;
    /**
     * {@snippet lang=c :
     * enum panattn_status.PANATTN_ERR_UNSUPPORTED = 2
     * }
     */
    public static int PANATTN_ERR_UNSUPPORTED() {
        return PANATTN_ERR_UNSUPPORTED;
    }
    private static final int PANATTN_ERR_OUT_OF_MEMORY = (int)3L;
    /**
     * {@snippet lang=c :
     * enum panattn_status.PANATTN_ERR_OUT_OF_MEMORY = 3
     * }
     */
    public static int PANATTN_ERR_OUT_OF_MEMORY() {
        return PANATTN_ERR_OUT_OF_MEMORY;
    }
    private static final int PANATTN_ERR_INTERNAL = (int)4L;
    /**
     * {@snippet lang=c :
     * enum panattn_status.PANATTN_ERR_INTERNAL = 4
     * }
     */
    public static int PANATTN_ERR_INTERNAL() {
        return PANATTN_ERR_INTERNAL;
    }

    private static class panattn_abi_version {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_h.C_INT
        );

        public static final MemorySegment ADDR = panattn_h.findOrThrow("panattn_abi_version");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t panattn_abi_version()
     * }
     */
    public static FunctionDescriptor panattn_abi_version$descriptor() {
        return panattn_abi_version.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t panattn_abi_version()
     * }
     */
    public static MethodHandle panattn_abi_version$handle() {
        return panattn_abi_version.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t panattn_abi_version()
     * }
     */
    public static MemorySegment panattn_abi_version$address() {
        return panattn_abi_version.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t panattn_abi_version()
     * }
     */
    public static int panattn_abi_version() {
        var mh$ = panattn_abi_version.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_abi_version");
            }
            return (int)mh$.invokeExact();
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_version_string {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_h.C_POINTER
        );

        public static final MemorySegment ADDR = panattn_h.findOrThrow("panattn_version_string");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * const char *panattn_version_string()
     * }
     */
    public static FunctionDescriptor panattn_version_string$descriptor() {
        return panattn_version_string.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * const char *panattn_version_string()
     * }
     */
    public static MethodHandle panattn_version_string$handle() {
        return panattn_version_string.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * const char *panattn_version_string()
     * }
     */
    public static MemorySegment panattn_version_string$address() {
        return panattn_version_string.ADDR;
    }

    /**
     * {@snippet lang=c :
     * const char *panattn_version_string()
     * }
     */
    public static MemorySegment panattn_version_string() {
        var mh$ = panattn_version_string.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_version_string");
            }
            return (MemorySegment)mh$.invokeExact();
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_last_error {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_h.C_POINTER
        );

        public static final MemorySegment ADDR = panattn_h.findOrThrow("panattn_last_error");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * const char *panattn_last_error()
     * }
     */
    public static FunctionDescriptor panattn_last_error$descriptor() {
        return panattn_last_error.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * const char *panattn_last_error()
     * }
     */
    public static MethodHandle panattn_last_error$handle() {
        return panattn_last_error.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * const char *panattn_last_error()
     * }
     */
    public static MemorySegment panattn_last_error$address() {
        return panattn_last_error.ADDR;
    }

    /**
     * {@snippet lang=c :
     * const char *panattn_last_error()
     * }
     */
    public static MemorySegment panattn_last_error() {
        var mh$ = panattn_last_error.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_last_error");
            }
            return (MemorySegment)mh$.invokeExact();
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_status_str {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_h.C_POINTER, panattn_h.C_INT
        );

        public static final MemorySegment ADDR = panattn_h.findOrThrow("panattn_status_str");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * const char *panattn_status_str(int32_t status)
     * }
     */
    public static FunctionDescriptor panattn_status_str$descriptor() {
        return panattn_status_str.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * const char *panattn_status_str(int32_t status)
     * }
     */
    public static MethodHandle panattn_status_str$handle() {
        return panattn_status_str.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * const char *panattn_status_str(int32_t status)
     * }
     */
    public static MemorySegment panattn_status_str$address() {
        return panattn_status_str.ADDR;
    }

    /**
     * {@snippet lang=c :
     * const char *panattn_status_str(int32_t status)
     * }
     */
    public static MemorySegment panattn_status_str(int status) {
        var mh$ = panattn_status_str.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_status_str", status);
            }
            return (MemorySegment)mh$.invokeExact(status);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_plan {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_h.C_INT, panattn_h.C_POINTER, panattn_h.C_INT, panattn_h.C_POINTER
        );

        public static final MemorySegment ADDR = panattn_h.findOrThrow("panattn_plan");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t panattn_plan(const panattn_params *p, int32_t threads, struct panattn_plan *plan)
     * }
     */
    public static FunctionDescriptor panattn_plan$descriptor() {
        return panattn_plan.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t panattn_plan(const panattn_params *p, int32_t threads, struct panattn_plan *plan)
     * }
     */
    public static MethodHandle panattn_plan$handle() {
        return panattn_plan.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t panattn_plan(const panattn_params *p, int32_t threads, struct panattn_plan *plan)
     * }
     */
    public static MemorySegment panattn_plan$address() {
        return panattn_plan.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t panattn_plan(const panattn_params *p, int32_t threads, struct panattn_plan *plan)
     * }
     */
    public static int panattn_plan(MemorySegment p, int threads, MemorySegment plan) {
        var mh$ = panattn_plan.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_plan", p, threads, plan);
            }
            return (int)mh$.invokeExact(p, threads, plan);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_forward {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_h.C_INT, panattn_h.C_POINTER, panattn_h.C_POINTER, panattn_h.C_LONG, panattn_h.C_LONG
        );

        public static final MemorySegment ADDR = panattn_h.findOrThrow("panattn_forward");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t panattn_forward(const panattn_params *p, const struct panattn_plan *plan, int64_t tile_begin, int64_t tile_end)
     * }
     */
    public static FunctionDescriptor panattn_forward$descriptor() {
        return panattn_forward.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t panattn_forward(const panattn_params *p, const struct panattn_plan *plan, int64_t tile_begin, int64_t tile_end)
     * }
     */
    public static MethodHandle panattn_forward$handle() {
        return panattn_forward.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t panattn_forward(const panattn_params *p, const struct panattn_plan *plan, int64_t tile_begin, int64_t tile_end)
     * }
     */
    public static MemorySegment panattn_forward$address() {
        return panattn_forward.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t panattn_forward(const panattn_params *p, const struct panattn_plan *plan, int64_t tile_begin, int64_t tile_end)
     * }
     */
    public static int panattn_forward(MemorySegment p, MemorySegment plan, long tile_begin, long tile_end) {
        var mh$ = panattn_forward.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_forward", p, plan, tile_begin, tile_end);
            }
            return (int)mh$.invokeExact(p, plan, tile_begin, tile_end);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_forward_partial {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_h.C_INT, panattn_h.C_POINTER, panattn_h.C_POINTER, panattn_h.C_POINTER, panattn_h.C_LONG, panattn_h.C_LONG
        );

        public static final MemorySegment ADDR = panattn_h.findOrThrow("panattn_forward_partial");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t panattn_forward_partial(const panattn_params *p, const struct panattn_plan *plan, void *workspace, int64_t tile_begin, int64_t tile_end)
     * }
     */
    public static FunctionDescriptor panattn_forward_partial$descriptor() {
        return panattn_forward_partial.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t panattn_forward_partial(const panattn_params *p, const struct panattn_plan *plan, void *workspace, int64_t tile_begin, int64_t tile_end)
     * }
     */
    public static MethodHandle panattn_forward_partial$handle() {
        return panattn_forward_partial.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t panattn_forward_partial(const panattn_params *p, const struct panattn_plan *plan, void *workspace, int64_t tile_begin, int64_t tile_end)
     * }
     */
    public static MemorySegment panattn_forward_partial$address() {
        return panattn_forward_partial.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t panattn_forward_partial(const panattn_params *p, const struct panattn_plan *plan, void *workspace, int64_t tile_begin, int64_t tile_end)
     * }
     */
    public static int panattn_forward_partial(MemorySegment p, MemorySegment plan, MemorySegment workspace, long tile_begin, long tile_end) {
        var mh$ = panattn_forward_partial.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_forward_partial", p, plan, workspace, tile_begin, tile_end);
            }
            return (int)mh$.invokeExact(p, plan, workspace, tile_begin, tile_end);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_merge_partial {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_h.C_INT, panattn_h.C_POINTER, panattn_h.C_POINTER, panattn_h.C_POINTER, panattn_h.C_LONG, panattn_h.C_LONG
        );

        public static final MemorySegment ADDR = panattn_h.findOrThrow("panattn_merge_partial");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t panattn_merge_partial(const panattn_params *p, const struct panattn_plan *plan, const void *workspace, int64_t tile_begin, int64_t tile_end)
     * }
     */
    public static FunctionDescriptor panattn_merge_partial$descriptor() {
        return panattn_merge_partial.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t panattn_merge_partial(const panattn_params *p, const struct panattn_plan *plan, const void *workspace, int64_t tile_begin, int64_t tile_end)
     * }
     */
    public static MethodHandle panattn_merge_partial$handle() {
        return panattn_merge_partial.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t panattn_merge_partial(const panattn_params *p, const struct panattn_plan *plan, const void *workspace, int64_t tile_begin, int64_t tile_end)
     * }
     */
    public static MemorySegment panattn_merge_partial$address() {
        return panattn_merge_partial.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t panattn_merge_partial(const panattn_params *p, const struct panattn_plan *plan, const void *workspace, int64_t tile_begin, int64_t tile_end)
     * }
     */
    public static int panattn_merge_partial(MemorySegment p, MemorySegment plan, MemorySegment workspace, long tile_begin, long tile_end) {
        var mh$ = panattn_merge_partial.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_merge_partial", p, plan, workspace, tile_begin, tile_end);
            }
            return (int)mh$.invokeExact(p, plan, workspace, tile_begin, tile_end);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_hold {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_h.C_INT, panattn_h.C_POINTER, panattn_h.C_POINTER, panattn_h.C_POINTER, panattn_h.C_POINTER, panattn_h.C_POINTER, panattn_h.C_POINTER, panattn_h.C_POINTER
        );

        public static final MemorySegment ADDR = panattn_h.findOrThrow("panattn_hold");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t panattn_hold(const void *a, const void *b, const void *c, void *d, void *e, const void *f, panattn_body_fn body)
     * }
     */
    public static FunctionDescriptor panattn_hold$descriptor() {
        return panattn_hold.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t panattn_hold(const void *a, const void *b, const void *c, void *d, void *e, const void *f, panattn_body_fn body)
     * }
     */
    public static MethodHandle panattn_hold$handle() {
        return panattn_hold.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t panattn_hold(const void *a, const void *b, const void *c, void *d, void *e, const void *f, panattn_body_fn body)
     * }
     */
    public static MemorySegment panattn_hold$address() {
        return panattn_hold.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t panattn_hold(const void *a, const void *b, const void *c, void *d, void *e, const void *f, panattn_body_fn body)
     * }
     */
    public static int panattn_hold(MemorySegment a, MemorySegment b, MemorySegment c, MemorySegment d, MemorySegment e, MemorySegment f, MemorySegment body) {
        var mh$ = panattn_hold.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_hold", a, b, c, d, e, f, body);
            }
            return (int)mh$.invokeExact(a, b, c, d, e, f, body);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_isa_supported {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_h.C_INT, panattn_h.C_INT
        );

        public static final MemorySegment ADDR = panattn_h.findOrThrow("panattn_isa_supported");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t panattn_isa_supported(int32_t isa)
     * }
     */
    public static FunctionDescriptor panattn_isa_supported$descriptor() {
        return panattn_isa_supported.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t panattn_isa_supported(int32_t isa)
     * }
     */
    public static MethodHandle panattn_isa_supported$handle() {
        return panattn_isa_supported.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t panattn_isa_supported(int32_t isa)
     * }
     */
    public static MemorySegment panattn_isa_supported$address() {
        return panattn_isa_supported.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t panattn_isa_supported(int32_t isa)
     * }
     */
    public static int panattn_isa_supported(int isa) {
        var mh$ = panattn_isa_supported.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_isa_supported", isa);
            }
            return (int)mh$.invokeExact(isa);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_isa_best {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_h.C_INT
        );

        public static final MemorySegment ADDR = panattn_h.findOrThrow("panattn_isa_best");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t panattn_isa_best()
     * }
     */
    public static FunctionDescriptor panattn_isa_best$descriptor() {
        return panattn_isa_best.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t panattn_isa_best()
     * }
     */
    public static MethodHandle panattn_isa_best$handle() {
        return panattn_isa_best.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t panattn_isa_best()
     * }
     */
    public static MemorySegment panattn_isa_best$address() {
        return panattn_isa_best.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t panattn_isa_best()
     * }
     */
    public static int panattn_isa_best() {
        var mh$ = panattn_isa_best.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_isa_best");
            }
            return (int)mh$.invokeExact();
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_isa_auto {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_h.C_INT, panattn_h.C_INT
        );

        public static final MemorySegment ADDR = panattn_h.findOrThrow("panattn_isa_auto");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t panattn_isa_auto(int32_t dtype)
     * }
     */
    public static FunctionDescriptor panattn_isa_auto$descriptor() {
        return panattn_isa_auto.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t panattn_isa_auto(int32_t dtype)
     * }
     */
    public static MethodHandle panattn_isa_auto$handle() {
        return panattn_isa_auto.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t panattn_isa_auto(int32_t dtype)
     * }
     */
    public static MemorySegment panattn_isa_auto$address() {
        return panattn_isa_auto.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t panattn_isa_auto(int32_t dtype)
     * }
     */
    public static int panattn_isa_auto(int dtype) {
        var mh$ = panattn_isa_auto.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_isa_auto", dtype);
            }
            return (int)mh$.invokeExact(dtype);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_fma_peak {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_h.C_INT, panattn_h.C_INT, panattn_h.C_DOUBLE, panattn_h.C_POINTER
        );

        public static final MemorySegment ADDR = panattn_h.findOrThrow("panattn_fma_peak");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t panattn_fma_peak(int32_t isa, double seconds, double *gflops)
     * }
     */
    public static FunctionDescriptor panattn_fma_peak$descriptor() {
        return panattn_fma_peak.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t panattn_fma_peak(int32_t isa, double seconds, double *gflops)
     * }
     */
    public static MethodHandle panattn_fma_peak$handle() {
        return panattn_fma_peak.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t panattn_fma_peak(int32_t isa, double seconds, double *gflops)
     * }
     */
    public static MemorySegment panattn_fma_peak$address() {
        return panattn_fma_peak.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t panattn_fma_peak(int32_t isa, double seconds, double *gflops)
     * }
     */
    public static int panattn_fma_peak(int isa, double seconds, MemorySegment gflops) {
        var mh$ = panattn_fma_peak.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_fma_peak", isa, seconds, gflops);
            }
            return (int)mh$.invokeExact(isa, seconds, gflops);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_linear_packed_bytes {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_h.C_INT, panattn_h.C_LONG_LONG, panattn_h.C_LONG_LONG, panattn_h.C_POINTER
        );

        public static final MemorySegment ADDR = panattn_h.findOrThrow("panattn_linear_packed_bytes");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t panattn_linear_packed_bytes(int64_t k, int64_t n, int64_t *bytes)
     * }
     */
    public static FunctionDescriptor panattn_linear_packed_bytes$descriptor() {
        return panattn_linear_packed_bytes.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t panattn_linear_packed_bytes(int64_t k, int64_t n, int64_t *bytes)
     * }
     */
    public static MethodHandle panattn_linear_packed_bytes$handle() {
        return panattn_linear_packed_bytes.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t panattn_linear_packed_bytes(int64_t k, int64_t n, int64_t *bytes)
     * }
     */
    public static MemorySegment panattn_linear_packed_bytes$address() {
        return panattn_linear_packed_bytes.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t panattn_linear_packed_bytes(int64_t k, int64_t n, int64_t *bytes)
     * }
     */
    public static int panattn_linear_packed_bytes(long k, long n, MemorySegment bytes) {
        var mh$ = panattn_linear_packed_bytes.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_linear_packed_bytes", k, n, bytes);
            }
            return (int)mh$.invokeExact(k, n, bytes);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_linear_pack {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_h.C_INT, panattn_h.C_POINTER, panattn_h.C_LONG_LONG, panattn_h.C_LONG_LONG, panattn_h.C_LONG_LONG, panattn_h.C_POINTER, panattn_h.C_LONG_LONG
        );

        public static final MemorySegment ADDR = panattn_h.findOrThrow("panattn_linear_pack");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t panattn_linear_pack(const float *w, int64_t k, int64_t n, int64_t w_row_stride, void *packed, int64_t packed_bytes)
     * }
     */
    public static FunctionDescriptor panattn_linear_pack$descriptor() {
        return panattn_linear_pack.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t panattn_linear_pack(const float *w, int64_t k, int64_t n, int64_t w_row_stride, void *packed, int64_t packed_bytes)
     * }
     */
    public static MethodHandle panattn_linear_pack$handle() {
        return panattn_linear_pack.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t panattn_linear_pack(const float *w, int64_t k, int64_t n, int64_t w_row_stride, void *packed, int64_t packed_bytes)
     * }
     */
    public static MemorySegment panattn_linear_pack$address() {
        return panattn_linear_pack.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t panattn_linear_pack(const float *w, int64_t k, int64_t n, int64_t w_row_stride, void *packed, int64_t packed_bytes)
     * }
     */
    public static int panattn_linear_pack(MemorySegment w, long k, long n, long w_row_stride, MemorySegment packed, long packed_bytes) {
        var mh$ = panattn_linear_pack.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_linear_pack", w, k, n, w_row_stride, packed, packed_bytes);
            }
            return (int)mh$.invokeExact(w, k, n, w_row_stride, packed, packed_bytes);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_linear {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_h.C_INT, panattn_h.C_POINTER, panattn_h.C_LONG_LONG, panattn_h.C_POINTER, panattn_h.C_LONG_LONG, panattn_h.C_LONG_LONG, panattn_h.C_POINTER, panattn_h.C_INT, panattn_h.C_POINTER, panattn_h.C_LONG_LONG, panattn_h.C_LONG_LONG, panattn_h.C_LONG_LONG, panattn_h.C_INT
        );

        public static final MemorySegment ADDR = panattn_h.findOrThrow("panattn_linear");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t panattn_linear(const float *in, int64_t in_row_stride, const void *packed, int64_t k, int64_t n, const float *bias, int32_t activation, float *out, int64_t out_row_stride, int64_t row_begin, int64_t row_end, int32_t isa)
     * }
     */
    public static FunctionDescriptor panattn_linear$descriptor() {
        return panattn_linear.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t panattn_linear(const float *in, int64_t in_row_stride, const void *packed, int64_t k, int64_t n, const float *bias, int32_t activation, float *out, int64_t out_row_stride, int64_t row_begin, int64_t row_end, int32_t isa)
     * }
     */
    public static MethodHandle panattn_linear$handle() {
        return panattn_linear.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t panattn_linear(const float *in, int64_t in_row_stride, const void *packed, int64_t k, int64_t n, const float *bias, int32_t activation, float *out, int64_t out_row_stride, int64_t row_begin, int64_t row_end, int32_t isa)
     * }
     */
    public static MemorySegment panattn_linear$address() {
        return panattn_linear.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t panattn_linear(const float *in, int64_t in_row_stride, const void *packed, int64_t k, int64_t n, const float *bias, int32_t activation, float *out, int64_t out_row_stride, int64_t row_begin, int64_t row_end, int32_t isa)
     * }
     */
    public static int panattn_linear(MemorySegment in, long in_row_stride, MemorySegment packed, long k, long n, MemorySegment bias, int activation, MemorySegment out, long out_row_stride, long row_begin, long row_end, int isa) {
        var mh$ = panattn_linear.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_linear", in, in_row_stride, packed, k, n, bias, activation, out, out_row_stride, row_begin, row_end, isa);
            }
            return (int)mh$.invokeExact(in, in_row_stride, packed, k, n, bias, activation, out, out_row_stride, row_begin, row_end, isa);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class panattn_add_layernorm {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            panattn_h.C_INT, panattn_h.C_POINTER, panattn_h.C_LONG_LONG, panattn_h.C_POINTER, panattn_h.C_LONG_LONG, panattn_h.C_LONG_LONG, panattn_h.C_POINTER, panattn_h.C_POINTER, panattn_h.C_FLOAT, panattn_h.C_LONG_LONG, panattn_h.C_LONG_LONG
        );

        public static final MemorySegment ADDR = panattn_h.findOrThrow("panattn_add_layernorm");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t panattn_add_layernorm(float *x, int64_t x_row_stride, const float *residual, int64_t residual_row_stride, int64_t n, const float *gamma, const float *beta, float eps, int64_t row_begin, int64_t row_end)
     * }
     */
    public static FunctionDescriptor panattn_add_layernorm$descriptor() {
        return panattn_add_layernorm.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t panattn_add_layernorm(float *x, int64_t x_row_stride, const float *residual, int64_t residual_row_stride, int64_t n, const float *gamma, const float *beta, float eps, int64_t row_begin, int64_t row_end)
     * }
     */
    public static MethodHandle panattn_add_layernorm$handle() {
        return panattn_add_layernorm.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t panattn_add_layernorm(float *x, int64_t x_row_stride, const float *residual, int64_t residual_row_stride, int64_t n, const float *gamma, const float *beta, float eps, int64_t row_begin, int64_t row_end)
     * }
     */
    public static MemorySegment panattn_add_layernorm$address() {
        return panattn_add_layernorm.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t panattn_add_layernorm(float *x, int64_t x_row_stride, const float *residual, int64_t residual_row_stride, int64_t n, const float *gamma, const float *beta, float eps, int64_t row_begin, int64_t row_end)
     * }
     */
    public static int panattn_add_layernorm(MemorySegment x, long x_row_stride, MemorySegment residual, long residual_row_stride, long n, MemorySegment gamma, MemorySegment beta, float eps, long row_begin, long row_end) {
        var mh$ = panattn_add_layernorm.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("panattn_add_layernorm", x, x_row_stride, residual, residual_row_stride, n, gamma, beta, eps, row_begin, row_end);
            }
            return (int)mh$.invokeExact(x, x_row_stride, residual, residual_row_stride, n, gamma, beta, eps, row_begin, row_end);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }
    private static final int PANATTN_ABI_VERSION = (int)9L;
    /**
     * {@snippet lang=c :
     * #define PANATTN_ABI_VERSION 9
     * }
     */
    public static int PANATTN_ABI_VERSION() {
        return PANATTN_ABI_VERSION;
    }
    private static final int PANATTN_CAUSAL_NONE = (int)0L;
    /**
     * {@snippet lang=c :
     * #define PANATTN_CAUSAL_NONE 0
     * }
     */
    public static int PANATTN_CAUSAL_NONE() {
        return PANATTN_CAUSAL_NONE;
    }
    private static final int PANATTN_CAUSAL_TOP_LEFT = (int)1L;
    /**
     * {@snippet lang=c :
     * #define PANATTN_CAUSAL_TOP_LEFT 1
     * }
     */
    public static int PANATTN_CAUSAL_TOP_LEFT() {
        return PANATTN_CAUSAL_TOP_LEFT;
    }
    private static final int PANATTN_CAUSAL_BOTTOM_RIGHT = (int)2L;
    /**
     * {@snippet lang=c :
     * #define PANATTN_CAUSAL_BOTTOM_RIGHT 2
     * }
     */
    public static int PANATTN_CAUSAL_BOTTOM_RIGHT() {
        return PANATTN_CAUSAL_BOTTOM_RIGHT;
    }
    private static final int PANATTN_DTYPE_F32 = (int)0L;
    /**
     * {@snippet lang=c :
     * #define PANATTN_DTYPE_F32 0
     * }
     */
    public static int PANATTN_DTYPE_F32() {
        return PANATTN_DTYPE_F32;
    }
    private static final int PANATTN_DTYPE_F16 = (int)1L;
    /**
     * {@snippet lang=c :
     * #define PANATTN_DTYPE_F16 1
     * }
     */
    public static int PANATTN_DTYPE_F16() {
        return PANATTN_DTYPE_F16;
    }
    private static final int PANATTN_DTYPE_BF16 = (int)2L;
    /**
     * {@snippet lang=c :
     * #define PANATTN_DTYPE_BF16 2
     * }
     */
    public static int PANATTN_DTYPE_BF16() {
        return PANATTN_DTYPE_BF16;
    }
    private static final int PANATTN_DTYPE_I8 = (int)3L;
    /**
     * {@snippet lang=c :
     * #define PANATTN_DTYPE_I8 3
     * }
     */
    public static int PANATTN_DTYPE_I8() {
        return PANATTN_DTYPE_I8;
    }
    private static final int PANATTN_ISA_AUTO = (int)0L;
    /**
     * {@snippet lang=c :
     * #define PANATTN_ISA_AUTO 0
     * }
     */
    public static int PANATTN_ISA_AUTO() {
        return PANATTN_ISA_AUTO;
    }
    private static final int PANATTN_ISA_SCALAR = (int)1L;
    /**
     * {@snippet lang=c :
     * #define PANATTN_ISA_SCALAR 1
     * }
     */
    public static int PANATTN_ISA_SCALAR() {
        return PANATTN_ISA_SCALAR;
    }
    private static final int PANATTN_ISA_AVX2 = (int)2L;
    /**
     * {@snippet lang=c :
     * #define PANATTN_ISA_AVX2 2
     * }
     */
    public static int PANATTN_ISA_AVX2() {
        return PANATTN_ISA_AVX2;
    }
    private static final int PANATTN_ISA_AVX512 = (int)3L;
    /**
     * {@snippet lang=c :
     * #define PANATTN_ISA_AVX512 3
     * }
     */
    public static int PANATTN_ISA_AVX512() {
        return PANATTN_ISA_AVX512;
    }
    private static final int PANATTN_ISA_AVX512_BF16 = (int)4L;
    /**
     * {@snippet lang=c :
     * #define PANATTN_ISA_AVX512_BF16 4
     * }
     */
    public static int PANATTN_ISA_AVX512_BF16() {
        return PANATTN_ISA_AVX512_BF16;
    }
    private static final int PANATTN_ISA_AMX_BF16 = (int)5L;
    /**
     * {@snippet lang=c :
     * #define PANATTN_ISA_AMX_BF16 5
     * }
     */
    public static int PANATTN_ISA_AMX_BF16() {
        return PANATTN_ISA_AMX_BF16;
    }
    private static final int PANATTN_WEIGHTS_FP32 = (int)0L;
    /**
     * {@snippet lang=c :
     * #define PANATTN_WEIGHTS_FP32 0
     * }
     */
    public static int PANATTN_WEIGHTS_FP32() {
        return PANATTN_WEIGHTS_FP32;
    }
    private static final int PANATTN_WEIGHTS_BF16 = (int)1L;
    /**
     * {@snippet lang=c :
     * #define PANATTN_WEIGHTS_BF16 1
     * }
     */
    public static int PANATTN_WEIGHTS_BF16() {
        return PANATTN_WEIGHTS_BF16;
    }
    private static final int PANATTN_TILE_Q = (int)128L;
    /**
     * {@snippet lang=c :
     * #define PANATTN_TILE_Q 128
     * }
     */
    public static int PANATTN_TILE_Q() {
        return PANATTN_TILE_Q;
    }
    private static final int PANATTN_ACT_NONE = (int)0L;
    /**
     * {@snippet lang=c :
     * #define PANATTN_ACT_NONE 0
     * }
     */
    public static int PANATTN_ACT_NONE() {
        return PANATTN_ACT_NONE;
    }
    private static final int PANATTN_ACT_GELU_ERF = (int)1L;
    /**
     * {@snippet lang=c :
     * #define PANATTN_ACT_GELU_ERF 1
     * }
     */
    public static int PANATTN_ACT_GELU_ERF() {
        return PANATTN_ACT_GELU_ERF;
    }
}
