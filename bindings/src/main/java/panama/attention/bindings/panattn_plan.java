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

/**
 * {@snippet lang=c :
 * struct panattn_plan {
 *     int64_t tiles;
 *     int64_t splits;
 *     int64_t workspace_bytes;
 *     uint64_t params_digest;
 * }
 * }
 */
public class panattn_plan {

    panattn_plan() {
        // Should not be called directly
    }

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
        panattn_h.C_LONG.withName("tiles"),
        panattn_h.C_LONG.withName("splits"),
        panattn_h.C_LONG.withName("workspace_bytes"),
        panattn_h.C_LONG.withName("params_digest")
    ).withName("panattn_plan");

    /**
     * The layout of this struct
     */
    public static final GroupLayout layout() {
        return $LAYOUT;
    }

    private static final OfLong tiles$LAYOUT = (OfLong)$LAYOUT.select(groupElement("tiles"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t tiles
     * }
     */
    public static final OfLong tiles$layout() {
        return tiles$LAYOUT;
    }

    private static final long tiles$OFFSET = $LAYOUT.byteOffset(groupElement("tiles"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t tiles
     * }
     */
    public static final long tiles$offset() {
        return tiles$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t tiles
     * }
     */
    public static long tiles(MemorySegment struct) {
        return struct.get(tiles$LAYOUT, tiles$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t tiles
     * }
     */
    public static void tiles(MemorySegment struct, long fieldValue) {
        struct.set(tiles$LAYOUT, tiles$OFFSET, fieldValue);
    }

    private static final OfLong splits$LAYOUT = (OfLong)$LAYOUT.select(groupElement("splits"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t splits
     * }
     */
    public static final OfLong splits$layout() {
        return splits$LAYOUT;
    }

    private static final long splits$OFFSET = $LAYOUT.byteOffset(groupElement("splits"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t splits
     * }
     */
    public static final long splits$offset() {
        return splits$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t splits
     * }
     */
    public static long splits(MemorySegment struct) {
        return struct.get(splits$LAYOUT, splits$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t splits
     * }
     */
    public static void splits(MemorySegment struct, long fieldValue) {
        struct.set(splits$LAYOUT, splits$OFFSET, fieldValue);
    }

    private static final OfLong workspace_bytes$LAYOUT = (OfLong)$LAYOUT.select(groupElement("workspace_bytes"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t workspace_bytes
     * }
     */
    public static final OfLong workspace_bytes$layout() {
        return workspace_bytes$LAYOUT;
    }

    private static final long workspace_bytes$OFFSET = $LAYOUT.byteOffset(groupElement("workspace_bytes"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t workspace_bytes
     * }
     */
    public static final long workspace_bytes$offset() {
        return workspace_bytes$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t workspace_bytes
     * }
     */
    public static long workspace_bytes(MemorySegment struct) {
        return struct.get(workspace_bytes$LAYOUT, workspace_bytes$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t workspace_bytes
     * }
     */
    public static void workspace_bytes(MemorySegment struct, long fieldValue) {
        struct.set(workspace_bytes$LAYOUT, workspace_bytes$OFFSET, fieldValue);
    }

    private static final OfLong params_digest$LAYOUT = (OfLong)$LAYOUT.select(groupElement("params_digest"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * uint64_t params_digest
     * }
     */
    public static final OfLong params_digest$layout() {
        return params_digest$LAYOUT;
    }

    private static final long params_digest$OFFSET = $LAYOUT.byteOffset(groupElement("params_digest"));

    /**
     * Offset for field:
     * {@snippet lang=c :
     * uint64_t params_digest
     * }
     */
    public static final long params_digest$offset() {
        return params_digest$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * uint64_t params_digest
     * }
     */
    public static long params_digest(MemorySegment struct) {
        return struct.get(params_digest$LAYOUT, params_digest$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * uint64_t params_digest
     * }
     */
    public static void params_digest(MemorySegment struct, long fieldValue) {
        struct.set(params_digest$LAYOUT, params_digest$OFFSET, fieldValue);
    }

    /**
     * Obtains a slice of {@code arrayParam} which selects the array element at {@code index}.
     * The returned segment has address {@code arrayParam.address() + index * layout().byteSize()}
     */
    public static MemorySegment asSlice(MemorySegment array, long index) {
        return array.asSlice(layout().byteSize() * index);
    }

    /**
     * The size (in bytes) of this struct
     */
    public static long sizeof() { return layout().byteSize(); }

    /**
     * Allocate a segment of size {@code layout().byteSize()} using {@code allocator}
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate(layout());
    }

    /**
     * Allocate an array of size {@code elementCount} using {@code allocator}.
     * The returned segment has size {@code elementCount * layout().byteSize()}.
     */
    public static MemorySegment allocateArray(long elementCount, SegmentAllocator allocator) {
        return allocator.allocate(MemoryLayout.sequenceLayout(elementCount, layout()));
    }

    /**
     * Reinterprets {@code addr} using target {@code arena} and {@code cleanupAction} (if any).
     * The returned segment has size {@code layout().byteSize()}
     */
    public static MemorySegment reinterpret(MemorySegment addr, Arena arena, Consumer<MemorySegment> cleanup) {
        return reinterpret(addr, 1, arena, cleanup);
    }

    /**
     * Reinterprets {@code addr} using target {@code arena} and {@code cleanupAction} (if any).
     * The returned segment has size {@code elementCount * layout().byteSize()}
     */
    public static MemorySegment reinterpret(MemorySegment addr, long elementCount, Arena arena, Consumer<MemorySegment> cleanup) {
        return addr.reinterpret(layout().byteSize() * elementCount, arena, cleanup);
    }
}
