package panama.attention;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import panama.attention.internal.Elements;
import panama.attention.internal.OwnedArena;
import panama.attention.internal.Validation;

/**
 * A paged key/value cache (vLLM's PagedAttention): one pool of fixed-size blocks of keys and one
 * of values, shared by up to {@code maxSequences} sequences that grow block by block, so memory
 * goes to the tokens that exist instead of every sequence's maximum length.
 *
 * <pre>{@code
 * try (PagedKvCache cache = PagedKvCache.create(DType.F32, kvHeads, headDim, 16, 4096, 64, 256)) {
 *     cache.append(0, promptK, promptV);               // sequence 0: (kvHeads, n, d)
 *     cache.attend(new int[] {0}, promptQ, promptOut);  // causal prefill
 *     cache.append(0, k1, v1);
 *     cache.attend(new int[] {0, 3}, q, out);           // decode sequences 0 and 3 in one call
 *     cache.free(3);                                    // its blocks return to the pool
 * }
 * }</pre>
 *
 * <p>The pools are {@code [numBlocks, blockSize, kvHeads, headDim]} views ({@link #keyPool()}) of
 * memory stored heads-first within each block, so one head's rows of a block are contiguous.
 * {@link #append} fills the sequence's last block and takes new blocks from a free list; it never
 * moves a sequence's existing blocks. {@link #attend} runs {@link Attention#sdpa} with
 * {@link AttentionOptions.Builder#pagedKv} over the sequences' block tables.
 *
 * <p>Not thread-safe: one thread appends and attends at a time. {@link #close()} frees the memory
 * (waiting for a call in flight); closing twice is harmless; use after close throws
 * {@link IllegalStateException}. Running out of blocks, or a sequence needing more than
 * {@code maxBlocksPerSeq}, throws {@link IllegalStateException} and changes nothing.
 */
public final class PagedKvCache implements AutoCloseable {
    private final DType dtype;
    private final int kvHeads;
    private final int headDim;
    private final int blockSize;
    private final int numBlocks;
    private final int maxSequences;
    private final int maxBlocksPerSeq;
    private final OwnedArena owned;
    private final Tensor keys;
    private final Tensor values;
    private final ArrayDeque<Integer> freeBlocks = new ArrayDeque<>();
    private final List<List<Integer>> tables = new ArrayList<>();
    private final int[] lengths;

    private PagedKvCache(DType dtype, int kvHeads, int headDim, int blockSize, int numBlocks, int maxSequences,
                         int maxBlocksPerSeq) {
        this.dtype = dtype;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.blockSize = blockSize;
        this.numBlocks = numBlocks;
        this.maxSequences = maxSequences;
        this.maxBlocksPerSeq = maxBlocksPerSeq;
        this.owned = new OwnedArena("PagedKvCache");
        this.keys = allocate();
        this.values = allocate();
        this.lengths = new int[maxSequences];
        for (int i = 0; i < numBlocks; i++) {
            freeBlocks.add(i);
        }
        for (int s = 0; s < maxSequences; s++) {
            tables.add(new ArrayList<>());
        }
    }

    /** Memory heads-first per block, seen as [numBlocks, blockSize, kvHeads, headDim]. */
    private Tensor allocate() {
        long rowsPerBlock = (long) blockSize * kvHeads;
        long bytes = Math.multiplyExact(Math.multiplyExact((long) numBlocks, rowsPerBlock), (long) headDim * dtype.byteSize());
        MemorySegment s = CacheMemory.allocate(owned.arena(), bytes);
        long d = headDim;
        return Tensor.of(s, dtype, new long[] {numBlocks, blockSize, kvHeads, headDim},
                new long[] {rowsPerBlock * d, d, blockSize * d, 1});
    }

    /**
     * A cache of {@code numBlocks} blocks of {@code blockSize} tokens for up to {@code maxSequences}
     * sequences of at most {@code maxBlocksPerSeq} blocks each.
     */
    public static PagedKvCache create(DType dtype, int kvHeads, int headDim, int blockSize, int numBlocks,
                                      int maxSequences, int maxBlocksPerSeq) {
        Objects.requireNonNull(dtype, "dtype must not be null");
        positive(kvHeads, "kvHeads");
        positive(headDim, "headDim");
        positive(blockSize, "blockSize");
        positive(numBlocks, "numBlocks");
        positive(maxSequences, "maxSequences");
        positive(maxBlocksPerSeq, "maxBlocksPerSeq");
        if (headDim > Validation.MAX_HEAD_DIM) {
            throw new IllegalArgumentException("headDim: " + headDim + " is above the supported " + Validation.MAX_HEAD_DIM);
        }
        if ((long) maxBlocksPerSeq * blockSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("maxBlocksPerSeq * blockSize: " + (long) maxBlocksPerSeq * blockSize
                    + " tokens do not fit an int key length");
        }
        return new PagedKvCache(dtype, kvHeads, headDim, blockSize, numBlocks, maxSequences, maxBlocksPerSeq);
    }

    private static void positive(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + ": must be at least 1, got " + value);
        }
    }

    public DType dtype() {
        return dtype;
    }

    public int kvHeads() {
        return kvHeads;
    }

    public int headDim() {
        return headDim;
    }

    public int blockSize() {
        return blockSize;
    }

    public int numBlocks() {
        return numBlocks;
    }

    public int maxSequences() {
        return maxSequences;
    }

    public int maxBlocksPerSeq() {
        return maxBlocksPerSeq;
    }

    /** Blocks not held by any sequence. */
    public int freeBlockCount() {
        owned.requireOpen();
        return freeBlocks.size();
    }

    /** Tokens cached for sequence seq. */
    public int length(int seq) {
        owned.requireOpen();
        Objects.checkIndex(seq, maxSequences);
        return lengths[seq];
    }

    /** A copy of sequence seq's block ids, in token order. */
    public int[] blockTable(int seq) {
        owned.requireOpen();
        Objects.checkIndex(seq, maxSequences);
        return tables.get(seq).stream().mapToInt(Integer::intValue).toArray();
    }

    /** The key pool, {@code [numBlocks, blockSize, kvHeads, headDim]}. */
    public Tensor keyPool() {
        owned.requireOpen();
        return keys;
    }

    /** The value pool, {@code [numBlocks, blockSize, kvHeads, headDim]}. */
    public Tensor valuePool() {
        owned.requireOpen();
        return values;
    }

    /**
     * Appends the tokens of k and v ({@code [kvHeads, n, headDim]}, any dtype and strides with
     * contiguous or strided head dim) to sequence seq, taking blocks from the free list as needed.
     */
    public void append(int seq, Tensor k, Tensor v) {
        Objects.requireNonNull(k, "k must not be null");
        Objects.requireNonNull(v, "v must not be null");
        owned.enter();
        try {
            Objects.checkIndex(seq, maxSequences);
            checkNew(k, "k");
            checkNew(v, "v");
            if (v.size(1) != k.size(1)) {
                throw new IllegalArgumentException("v: dimension 1 (n) is " + v.size(1) + " but k has " + k.size(1)
                        + " new tokens");
            }
            int n = Math.toIntExact(k.size(1));
            long total = (long) lengths[seq] + n;
            long blocks = (total + blockSize - 1) / blockSize;
            if (blocks > maxBlocksPerSeq) {
                throw new IllegalStateException("sequence " + seq + ": appending " + n + " tokens to its " + lengths[seq]
                        + " needs " + blocks + " blocks, more than maxBlocksPerSeq " + maxBlocksPerSeq);
            }
            List<Integer> table = tables.get(seq);
            long more = blocks - table.size();
            if (more > freeBlocks.size()) {
                throw new IllegalStateException("pool exhausted: sequence " + seq + " needs " + more + " more blocks, "
                        + freeBlocks.size() + " of " + numBlocks + " are free (free finished sequences first)");
            }
            for (long i = 0; i < more; i++) {
                table.add(freeBlocks.poll());
            }
            for (int t = 0; t < n; t++) {
                int j = lengths[seq] + t;
                int block = table.get(j / blockSize);
                copyRow(k, keys, t, block, j % blockSize);
                copyRow(v, values, t, block, j % blockSize);
            }
            lengths[seq] += n;
        } finally {
            owned.exit();
        }
    }

    /** Returns sequence seq's blocks to the pool; its length becomes 0. */
    public void free(int seq) {
        owned.enter();
        try {
            Objects.checkIndex(seq, maxSequences);
            freeBlocks.addAll(tables.get(seq));
            tables.get(seq).clear();
            lengths[seq] = 0;
        } finally {
            owned.exit();
        }
    }

    private void checkNew(Tensor t, String name) {
        if (t.rank() != 3) {
            throw new IllegalArgumentException(name + ": rank is " + t.rank() + " but must be 3 [kvHeads, n, headDim]; shape "
                    + Arrays.toString(t.shape()));
        }
        Validation.requireUsable(t, name);
        if (t.size(0) != kvHeads) {
            throw new IllegalArgumentException(name + ": dimension 0 (kvHeads) is " + t.size(0) + " but the cache has " + kvHeads);
        }
        if (t.size(2) != headDim) {
            throw new IllegalArgumentException(name + ": dimension 2 (headDim) is " + t.size(2) + " but the cache has " + headDim);
        }
    }

    /** Token t of src (every head) into row `row` of block `block`. */
    private void copyRow(Tensor src, Tensor pool, int t, int block, int row) {
        MemorySegment s = src.segment(), d = pool.segment();
        boolean fast = src.dtype() == dtype && (src.stride(2) == 1 || headDim == 1);
        for (int h = 0; h < kvHeads; h++) {
            long so = h * src.stride(0) + t * src.stride(1);
            long dOff = block * pool.stride(0) + (long) row * pool.stride(1) + h * pool.stride(2);
            if (fast) {
                MemorySegment.copy(s, so * dtype.byteSize(), d, dOff * dtype.byteSize(), (long) headDim * dtype.byteSize());
            } else {
                for (int c = 0; c < headDim; c++) {
                    Elements.set(d, dtype, dOff + c, Elements.get(s, src.dtype(), so + (long) c * src.stride(2)));
                }
            }
        }
    }

    /** {@link #attend(int[], Tensor, Tensor, AttentionOptions)} with {@link CausalMode#BOTTOM_RIGHT}. */
    public Backend attend(int[] seqs, Tensor q, Tensor out) {
        return attend(seqs, q, out, AttentionOptions.builder().causal(CausalMode.BOTTOM_RIGHT).build());
    }

    /**
     * The new queries of the given sequences against everything they cached, through their block
     * tables: q and out {@code [seqs.length, heads, Lq, headDim]} (or packed {@code [totalQ, heads,
     * headDim]} with the options' {@code varlen(cuSeqlensQ, null)}). The options must set neither
     * keyLengths nor pagedKv (the cache supplies both); the causal mode is used as given.
     */
    public Backend attend(int[] seqs, Tensor q, Tensor out, AttentionOptions options) {
        Objects.requireNonNull(seqs, "seqs must not be null");
        Objects.requireNonNull(options, "options must not be null");
        if (options.keyLengths() != null || options.blockTable() != null) {
            throw new IllegalArgumentException("options: the cache supplies keyLengths and pagedKv; leave them unset");
        }
        owned.enter();
        try {
            int[][] table = new int[seqs.length][];
            int[] lens = new int[seqs.length];
            for (int b = 0; b < seqs.length; b++) {
                Objects.checkIndex(seqs[b], maxSequences);
                table[b] = blockTable(seqs[b]);
                lens[b] = lengths[seqs[b]];
            }
            return Attention.sdpa(q, keys, values, out, options.toBuilder().keyLengths(lens).pagedKv(table, blockSize).build());
        } finally {
            owned.exit();
        }
    }

    /** Frees the pools; safe to call twice. */
    @Override
    public void close() {
        owned.close();
    }

    @Override
    public String toString() {
        return "PagedKvCache[" + dtype + " kvHeads=" + kvHeads + " headDim=" + headDim + " blockSize=" + blockSize
                + " numBlocks=" + numBlocks + (owned.isClosed() ? ", closed" : ", free=" + freeBlocks.size()) + "]";
    }
}
