package panama.attention.examples.minilm;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import panama.attention.Backend;
import panama.attention.TileScheduler;

/**
 * Sentence embeddings from {@link MiniLm}, many texts at once: the texts are tokenized, sorted by
 * length and packed into padded batches (per-entry key lengths mask the padding), so every
 * projection of a batch is one matrix product over all its rows.
 *
 * <p>Each vector is what sentence-transformers computes for all-MiniLM-L6-v2: the mean of the last
 * hidden states over the text's tokens ([CLS] and [SEP] included), L2-normalised.
 *
 * <p>Long texts: by default a text is cut to {@value #DEFAULT_MAX_TOKENS} tokens ([CLS] and [SEP]
 * included), the truncation the model's own {@code tokenizer.json} sets and therefore what
 * LangChain4j's {@code AllMiniLmL6V2EmbeddingModel} does (its tokenizer truncates before its
 * 510-token split is ever reached). sentence-transformers cuts at 256; any limit up to the model's
 * 512 positions can be chosen. Alternatively a text can be split instead of cut, the way
 * LangChain4j's split is written: its tokens in runs of at most {@code maxTokens - 2} (never inside
 * a word: a cut before a {@code ##} continuation moves back), each run embedded between its own
 * [CLS] and [SEP], the runs' mean vectors averaged weighted by their token counts, the average
 * normalised.
 *
 * <p>Thread-safe: the model's weights are loaded once and shared; every call has its own buffers.
 */
public final class SentenceEmbedder implements AutoCloseable {
    /** Most tokens per batch (padding included): large enough for efficient matrix products, small in memory. */
    static final int TOKENS_PER_BATCH = 4096;
    /** Fewest tokens per batch when a call is cut into batches for the workers: still ~40 row tiles a product. */
    static final int MIN_TOKENS_PER_BATCH = 512;
    /** Padding a batch may carry: at most 1 in this many of its tokens. */
    static final int MAX_PADDING_PARTS = 16;
    /** The truncation all-MiniLM-L6-v2's tokenizer.json sets (and LangChain4j therefore applies). */
    public static final int DEFAULT_MAX_TOKENS = 128;

    private final MiniLm model;
    private final Backend backend;
    private final int maxTokens;
    private final boolean split;
    private final boolean ownsModel;

    /** One embedding and the number of tokens it came from, [CLS] and [SEP] not counted. */
    public record Embedded(float[] vector, int tokens) {
    }

    private SentenceEmbedder(MiniLm model, Backend backend, int maxTokens, boolean split, boolean ownsModel) {
        this.model = Objects.requireNonNull(model, "model must not be null");
        this.backend = Objects.requireNonNull(backend, "backend must not be null");
        if (maxTokens < 3 || maxTokens > model.maxPositions()) {
            throw new IllegalArgumentException("maxTokens must be in [3, " + model.maxPositions() + "], got " + maxTokens);
        }
        this.maxTokens = maxTokens;
        this.split = split;
        this.ownsModel = ownsModel;
    }

    /** Loads all-MiniLM-L6-v2 from the class path; attention backend chosen per call (AUTO). */
    public static SentenceEmbedder load() throws IOException {
        return new SentenceEmbedder(MiniLm.load(), Backend.AUTO, DEFAULT_MAX_TOKENS, false, true);
    }

    /** Embeds with an already loaded model, which the caller keeps and closes; texts cut at 128 tokens. */
    public static SentenceEmbedder of(MiniLm model, Backend backend) {
        return new SentenceEmbedder(model, backend, DEFAULT_MAX_TOKENS, false, false);
    }

    /**
     * Embeds with an already loaded model, which the caller keeps and closes.
     *
     * @param maxTokens tokens per model input, [CLS] and [SEP] included, 3 to 512
     * @param split whether a longer text is split into runs (and their vectors averaged) rather than cut
     */
    public static SentenceEmbedder of(MiniLm model, Backend backend, int maxTokens, boolean split) {
        return new SentenceEmbedder(model, backend, maxTokens, split, false);
    }

    /** Tokens per model input, [CLS] and [SEP] included. */
    public int maxTokens() {
        return maxTokens;
    }

    public MiniLm model() {
        return model;
    }

    /** Length of every vector: 384. */
    public int dimension() {
        return model.hidden();
    }

    /**
     * Tokens of {@code text} that are embedded, [CLS] and [SEP] included (cut at
     * {@link #maxTokens()} unless splitting), as LangChain4j's token estimate counts them.
     */
    public int countTokens(String text) {
        int n = model.tokenizeWhole(Objects.requireNonNull(text, "text must not be null")).ids().length;
        return split ? n : Math.min(n, maxTokens);
    }

    /** Embeds one text. */
    public Embedded embed(String text) {
        return embedAll(List.of(text)).get(0);
    }

    /**
     * Embeds every text, in order.
     *
     * @throws IllegalArgumentException for an empty list, or a text with no tokens (empty or only
     *     whitespace), naming its index
     */
    public List<Embedded> embedAll(List<String> texts) {
        Objects.requireNonNull(texts, "texts must not be null");
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("texts must not be empty");
        }
        // Every text becomes one or more runs of ids, each with its own [CLS] and [SEP].
        List<long[]> runs = new ArrayList<>();
        List<Integer> owner = new ArrayList<>();
        int[] tokenCounts = new int[texts.size()];
        MiniLm.Tokens[] tokenized = tokenize(texts);
        for (int i = 0; i < texts.size(); i++) {
            MiniLm.Tokens t = tokenized[i];
            if (!split) {
                t = MiniLm.truncate(t, maxTokens);
            }
            tokenCounts[i] = t.ids().length - 2;
            List<long[]> parts = split(t, maxTokens - 2, model.clsId(), model.sepId());
            if (parts.isEmpty()) {
                throw new IllegalArgumentException("texts[" + i + "]: cannot embed empty or whitespace-only text");
            }
            for (long[] p : parts) {
                runs.add(p);
                owner.add(i);
            }
        }
        float[][] means = meanVectors(runs);
        double[][] sums = new double[texts.size()][];
        int[] weights = new int[texts.size()];
        for (int r = 0; r < runs.size(); r++) {
            int i = owner.get(r);
            int w = runs.get(r).length - 2;
            if (sums[i] == null) {
                sums[i] = new double[dimension()];
            }
            for (int c = 0; c < dimension(); c++) {
                sums[i][c] += (double) means[r][c] * w;
            }
            weights[i] += w;
        }
        List<Embedded> out = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            out.add(new Embedded(normalize(sums[i], weights[i]), tokenCounts[i]));
        }
        return out;
    }

    /**
     * Every text's tokens, on the library's workers when there are several texts: the tokenizer is
     * thread-safe, and tokenizing a few hundred texts on the calling thread alone left the
     * workers idle meanwhile.
     */
    private MiniLm.Tokens[] tokenize(List<String> texts) {
        for (int i = 0; i < texts.size(); i++) {
            int index = i;
            Objects.requireNonNull(texts.get(i), () -> "texts[" + index + "] is null");
        }
        MiniLm.Tokens[] out = new MiniLm.Tokens[texts.size()];
        TileScheduler scheduler = TileScheduler.shared();
        if (texts.size() < 2 * scheduler.threads()) {
            for (int i = 0; i < out.length; i++) {
                out[i] = model.tokenizeWhole(texts.get(i));
            }
        } else {
            scheduler.run(out.length, (begin, end) -> {
                for (long i = begin; i < end; i++) {
                    out[(int) i] = model.tokenizeWhole(texts.get((int) i));
                }
            });
        }
        return out;
    }

    /**
     * The content tokens (between [CLS] and [SEP]) in runs of at most {@code size}, a cut before a
     * word-piece continuation moved back to the word's start; each run framed by [CLS] and [SEP].
     */
    static List<long[]> split(MiniLm.Tokens t, int size, long cls, long sep) {
        String[] tokens = t.tokens();
        long[] ids = t.ids();
        List<long[]> runs = new ArrayList<>();
        int from = 1;
        while (from < ids.length - 1) {
            int to = from + size;
            if (to >= ids.length - 1) {
                to = ids.length - 1;
            } else {
                while (to > from + 1 && tokens[to].startsWith("##")) {
                    to--;
                }
            }
            long[] run = new long[to - from + 2];
            run[0] = cls;
            System.arraycopy(ids, from, run, 1, to - from);
            run[run.length - 1] = sep;
            runs.add(run);
            from = to;
        }
        return runs;
    }

    /**
     * Mean last hidden state of every run (not normalised), batched by similar lengths.
     *
     * <p>With enough work for at least two batches per worker, each worker runs whole batches on
     * its own (the model's row blocks and attention then run inline on that worker): no hand-off
     * between threads inside a batch, so a worker descheduled on a busy machine delays only its
     * own batch. Smaller calls run one batch at a time, its row blocks spread over the workers.
     */
    private float[][] meanVectors(List<long[]> runs) {
        Integer[] order = new Integer[runs.size()];
        long tokens = 0;
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
            tokens += runs.get(i).length;
        }
        Arrays.sort(order, Comparator.comparingInt(i -> runs.get(i).length));
        TileScheduler scheduler = TileScheduler.shared();
        int threads = scheduler.threads();
        // About four batches per worker when there is that much, never tiny or huge ones.
        long perBatch = Math.max(MIN_TOKENS_PER_BATCH, Math.min(TOKENS_PER_BATCH, tokens / (4L * threads)));
        List<int[]> batches = new ArrayList<>(); // [start, end) in order
        int start = 0;
        while (start < order.length) {
            // Sorted ascending: the batch's last run is its longest, so it sets the padding. A run
            // joins while the batch stays within its tokens and padding stays under 1/16 of them:
            // every padded row costs a full row of every product, and products of a few dozen
            // rows run as fast per row as long ones, so short batches cost little.
            int end = start + 1;
            long real = runs.get(order[start]).length;
            while (end < order.length) {
                long len = runs.get(order[end]).length;
                long padded = (end - start + 1) * len;
                if (padded > perBatch || (padded - real - len) * MAX_PADDING_PARTS > padded) {
                    break;
                }
                real += len;
                end++;
            }
            batches.add(new int[] {start, end});
            start = end;
        }
        float[][] means = new float[runs.size()][];
        if (threads > 1 && batches.size() >= 2L * threads) {
            // Heaviest (most padded tokens) first: workers take batches in turn from a shared counter.
            batches.sort(Comparator.comparingLong((int[] b) -> -(long) (b[1] - b[0]) * runs.get(order[b[1] - 1]).length));
            scheduler.run(batches.size(), (begin, endBatch) -> {
                for (long b = begin; b < endBatch; b++) {
                    runBatch(runs, order, batches.get((int) b), means, true);
                }
            });
        } else {
            for (int[] b : batches) {
                runBatch(runs, order, b, means, threads == 1);
            }
        }
        return means;
    }

    /** Runs order[start, end) as one padded batch; every run's mean lands in means at its index. */
    private void runBatch(List<long[]> runs, Integer[] order, int[] batch, float[][] means, boolean onOneThread) {
        long[][] ids = new long[batch[1] - batch[0]][];
        for (int j = batch[0]; j < batch[1]; j++) {
            ids[j - batch[0]] = runs.get(order[j]);
        }
        float[][] batchMeans = model.meanHiddenStates(ids, backend, onOneThread);
        for (int j = batch[0]; j < batch[1]; j++) {
            means[order[j]] = batchMeans[j - batch[0]];
        }
    }

    private static float[] normalize(double[] sum, int weight) {
        double norm = 0;
        for (double v : sum) {
            double m = v / weight;
            norm += m * m;
        }
        norm = Math.max(Math.sqrt(norm), 1e-12);
        float[] out = new float[sum.length];
        for (int c = 0; c < sum.length; c++) {
            out[c] = (float) (sum[c] / weight / norm);
        }
        return out;
    }

    @Override
    public void close() {
        if (ownsModel) {
            model.close();
        }
    }
}
