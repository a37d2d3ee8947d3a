package panama.attention.testing;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;

/**
 * glibc's malloc statistics for the memory tests: bytes in use in every arena plus mmap'd chunks
 * (mallinfo2's uordblks + hblkhd). Every native allocation counts: the kernels', FFM arenas' and
 * the JVM's own malloc.
 */
public final class MallocStats {
    private static final MethodHandle MALLINFO2;

    static {
        MemoryLayout[] fields = new MemoryLayout[10];
        Arrays.fill(fields, ValueLayout.JAVA_LONG); // struct mallinfo2: ten size_t
        Linker linker = Linker.nativeLinker();
        MALLINFO2 = linker.downcallHandle(linker.defaultLookup().find("mallinfo2").orElseThrow(),
                FunctionDescriptor.of(MemoryLayout.structLayout(fields)));
    }

    private MallocStats() {
    }

    /** Bytes of malloc'd memory in use now. */
    public static long inUse() throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = (MemorySegment) MALLINFO2.invokeExact((SegmentAllocator) a);
            // struct mallinfo2 { arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost }
            return m.getAtIndex(ValueLayout.JAVA_LONG, 7) + m.getAtIndex(ValueLayout.JAVA_LONG, 4);
        }
    }
}
