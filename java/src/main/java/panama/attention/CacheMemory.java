package panama.attention;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;
import java.util.Objects;

/**
 * Memory for key/value caches: zeroed, 64-byte aligned, and on Linux backed by transparent huge
 * pages where the system grants them ({@code madvise(MADV_HUGEPAGE)}, which is what
 * {@code /sys/kernel/mm/transparent_hugepage/enabled = madvise}, the common default, asks for).
 *
 * <p>Why: decode reads the whole cache once per token, and a paged cache reads it in runs scattered
 * over the pool. With 4 KiB pages every run starts a new TLB entry; with 2 MiB pages a pool of a
 * few hundred MiB needs a few hundred entries. Measured on a 2-core AMD EPYC (AVX-512), paged
 * decode at 16-key pages read at about 0.75x of contiguous decode on 4 KiB pages and 0.96x on
 * huge pages, one thread (docs/CPU-KERNEL.md). {@link KvCache} and {@link PagedKvCache} take
 * their memory from here; allocate your own caches here too.
 *
 * <p>Requests under 2 MiB, other systems, and a refused mapping fall back to
 * {@code arena.allocate(bytes, 64)}. The memory is released when {@code arena} closes.
 */
public final class CacheMemory {
    /** The huge page size of x86-64 and of most aarch64 Linux systems. */
    static final long HUGE_PAGE = 2L << 20;
    private static final int PROT_READ = 1, PROT_WRITE = 2, MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20;
    private static final int MADV_HUGEPAGE = 14;

    /** mmap, munmap, madvise; null where this is not Linux or libc lacks them. */
    private static final MethodHandle[] CALLS = lookup();

    private CacheMemory() {
    }

    /** {@code bytes} of zeroed memory, 64-byte aligned, in huge pages where granted; freed with {@code arena}. */
    public static MemorySegment allocate(Arena arena, long bytes) {
        Objects.requireNonNull(arena, "arena must not be null");
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must be >= 0, got " + bytes);
        }
        if (bytes < HUGE_PAGE || CALLS == null || bytes > Long.MAX_VALUE - 2 * HUGE_PAGE) {
            return arena.allocate(bytes, 64);
        }
        MemorySegment mapped = map(bytes, arena);
        return mapped != null ? mapped : arena.allocate(bytes, 64);
    }

    /**
     * An anonymous mapping with room to start on a huge-page boundary, advised as huge pages
     * before anything touches it (pages touched first are 4 KiB pages); null when refused.
     */
    private static MemorySegment map(long bytes, Arena arena) {
        long length = bytes + HUGE_PAGE;
        try {
            MemorySegment m = (MemorySegment) CALLS[0].invokeExact(MemorySegment.NULL, length,
                    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L);
            if (m.address() == -1L || m.address() == 0L) { // MAP_FAILED
                return null;
            }
            long start = (m.address() + HUGE_PAGE - 1) & -HUGE_PAGE;
            long end = m.address() + ((length + 4095) & -4096L); // the kernel maps whole pages
            long advised = Math.min((bytes + HUGE_PAGE - 1) & -HUGE_PAGE, end - start);
            // A hint: refused (no THP in this kernel), the memory is still good, in 4 KiB pages.
            int ignored = (int) CALLS[2].invokeExact(MemorySegment.ofAddress(start), advised, MADV_HUGEPAGE);
            MethodHandle munmap = CALLS[1];
            MemorySegment whole = m.reinterpret(length, arena, s -> unmap(munmap, s, length));
            return whole.asSlice(start - m.address(), bytes);
        } catch (Throwable e) {
            return null;
        }
    }

    private static void unmap(MethodHandle munmap, MemorySegment s, long length) {
        try {
            int ignored = (int) munmap.invokeExact(s, length);
        } catch (Throwable e) {
            throw new IllegalStateException("munmap failed", e);
        }
    }

    private static MethodHandle[] lookup() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return null;
        }
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            MethodHandle mmap = linker.downcallHandle(libc.find("mmap").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
            MethodHandle munmap = linker.downcallHandle(libc.find("munmap").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
            MethodHandle madvise = linker.downcallHandle(libc.find("madvise").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_INT));
            return new MethodHandle[] {mmap, munmap, madvise};
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }
}
