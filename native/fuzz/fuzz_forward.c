/*
 * fuzz_forward.c — libFuzzer target over the C entry points of panattn.h, built with
 * AddressSanitizer and UndefinedBehaviorSanitizer by native/fuzz/run-fuzz.sh.
 *
 * The fuzz bytes become one panattn_params: sizes (small, sometimes zero, negative or past a
 * limit), strides (contiguous, interleaved, padded, or raw fuzz values: zero, negative, huge),
 * dtype/causal/isa codes (valid or not), a scale from raw float bits, optional lse, mask and
 * key lengths, the serving options (sliding window bounds, softcap, ALiBi slopes; sensible or
 * raw values), and K/V stored as another type (kv_dtype: fp16, bf16, int8 with scales of fuzzed
 * layout, or a raw code; scales where they do not belong), and the softmax weights' precision
 * (FP32, BF16, or a raw code). Every buffer is malloc'ed to EXACTLY the extent the params claim (the bytes from
 * element 0 to one past the largest offset sum (size_i - 1) * stride_i), so any read or write
 * outside what a correct caller provides lands in an ASan redzone. Then it calls panattn_plan
 * (one thread and a fuzzed thread count) and, when the params are valid, forward (over fuzzed
 * tile ranges, valid or not) and forward_partial + merge_partial with a workspace of exactly the
 * size the chosen split needs, and checks that params changed after planning are refused; and
 * panattn_hold, which must return its body's status and read nothing.
 *
 * When a claimed extent is too large to allocate (over CAP bytes), only panattn_plan, which
 * reads nothing but the params, the key lengths and the ALiBi slopes, is called: a correct library
 * may legitimately read a valid tensor of any size, so no smaller buffer could stand in for it.
 * Values are fuzz bytes reinterpreted as floats: NaN, inf and subnormals included.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sanitizer/asan_interface.h>

#include "panattn.h"

/* Bounds on what one execution may cost. Buffers over CAP bytes are not allocated (only the plan
 * is checked), and forward runs only when batch * heads * seq_q * seq_k * head_dim <= WORK_CAP.
 * Every size limit of the harness still fits under both (one sequence of 70 queries over a
 * 140-key cache at head dim 72, or a 1279-key decode with split-KV): what they bound is how
 * many heads and batches multiply those, which the kernels treat as independent tiles. Fresh
 * pages of megabyte buffers and the sanitized flops were most of an execution's time. */
enum { CAP = 1 << 20, WORK_CAP = 1000000 };

typedef struct reader {
    const uint8_t *data;
    size_t size;
    size_t pos;
} reader;

static uint8_t u8(reader *r) {
    return r->pos < r->size ? r->data[r->pos++] : 0;
}

static uint32_t u32(reader *r) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        v |= (uint32_t)u8(r) << (8 * i);
    }
    return v;
}

static int64_t i64(reader *r) {
    uint64_t v = (uint64_t)u32(r) | ((uint64_t)u32(r) << 32);
    int64_t s;
    memcpy(&s, &v, sizeof s);
    return s;
}

/* A small size in [1, max], or (1 in 16) something hostile: 0, -1, or huge. */
static int64_t size_of(reader *r, int64_t max) {
    uint8_t b = u8(r);
    switch (b & 15) {
    case 15: return 0;
    case 14: return (b >> 4) == 0 ? -1 : (b >> 4) == 1 ? INT64_MAX / 2 : 1 + (int64_t)u32(r);
    default: return 1 + (int64_t)(b >> 4) * max / 16 + (int64_t)(u8(r) % (max / 16 + 1));
    }
}

/* Elements from element 0 to one past the largest offset the params claim, as an honest caller
 * would allocate them: 0 for an empty tensor (a size < 1), and a negative stride reaches nothing
 * past element 0 (so a library that wrongly accepts it reads BEFORE the buffer: a redzone).
 * -1 when the sum overflows (no caller can own such memory). */
static int64_t extent(int n, const int64_t *sizes, const int64_t *strides) {
    int64_t total = 1;
    for (int i = 0; i < n; i++) {
        int64_t term;
        if (sizes[i] < 1) {
            return 0;
        }
        if (strides[i] <= 0) {
            continue;
        }
        if (__builtin_mul_overflow(sizes[i] - 1, strides[i], &term) || __builtin_add_overflow(total, term, &total)) {
            return -1;
        }
    }
    return total;
}

/* Wrapping arithmetic: hostile sizes must not make the harness itself overflow (UB). */
static int64_t mulw(int64_t a, int64_t b) {
    return (int64_t)((uint64_t)a * (uint64_t)b);
}

static int64_t addw(int64_t a, int64_t b) {
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* Strides for (a, b, c, d=contiguous): one of four layouts, or raw fuzz values. */
static void strides_for(reader *r, const int64_t *sizes, int64_t *st) {
    const int64_t a = sizes[1] > 0 ? sizes[1] : 1, s = sizes[2] > 0 ? sizes[2] : 1, d = sizes[3] > 0 ? sizes[3] : 1;
    switch (u8(r) & 7) {
    case 0: case 1: case 2: /* row-major [b, h, s, d] */
        st[2] = d, st[1] = mulw(s, d), st[0] = mulw(a, mulw(s, d));
        break;
    case 3: case 4: /* [b, s, h, d] storage viewed as [b, h, s, d] */
        st[1] = d, st[2] = mulw(a, d), st[0] = mulw(s, mulw(a, d));
        break;
    case 5: /* padded rows and heads */
        st[2] = addw(d, u8(r) & 7);
        st[1] = addw(mulw(s, st[2]), u8(r) & 15);
        st[0] = addw(mulw(a, st[1]), u8(r) & 3);
        break;
    case 6: /* small raw strides: zero and overlapping rows included */
        st[0] = u8(r) % 9, st[1] = u8(r) % 65, st[2] = u8(r) % 80;
        break;
    default: /* anything: negative, huge */
        st[0] = i64(r), st[1] = i64(r), st[2] = i64(r);
        break;
    }
}

typedef struct buffers {
    void *q, *k, *v, *out, *mask, *lse, *kl, *ws, *slopes, *k_scale, *v_scale; /* all but kl, slopes in pools */
} buffers;

/* Where the harness's tensors live. Each role (q, k, v, ...) has one pool of CAP bytes plus a
 * leading gap, allocated once and kept for the process; an execution's buffer of n bytes is its
 * first n bytes after the gap, and everything else of the pool is poisoned for AddressSanitizer,
 * so a read or write outside the buffer is reported exactly as with a fresh malloc (the buffer
 * starts 64-byte aligned as malloc's would be 16-byte aligned, and ends exactly at n). A fresh
 * malloc of up to a megabyte per tensor per execution was mapped, faulted in page by page and
 * unmapped every time: about half of an execution's time. */
enum { ROLE_Q, ROLE_K, ROLE_V, ROLE_OUT, ROLE_LSE, ROLE_MASK, ROLE_WS, ROLE_K_SCALE, ROLE_V_SCALE, ROLES };
enum { POOL_GAP = 4096 };
static uint8_t *pools[ROLES];
static size_t pool_open[ROLES]; /* bytes after the gap left unpoisoned by the last execution */

static uint8_t *pool_take(int role, size_t bytes) {
    if (pools[role] == NULL) {
        pools[role] = malloc(POOL_GAP + CAP + 64);
        if (pools[role] == NULL) {
            return NULL;
        }
        ASAN_POISON_MEMORY_REGION(pools[role], POOL_GAP + CAP + 64);
    }
    uint8_t *start = pools[role] + POOL_GAP;
    /* only the last execution's buffer was ever unpoisoned after the pool's first poisoning */
    ASAN_POISON_MEMORY_REGION(start, pool_open[role]);
    pool_open[role] = bytes ? bytes : 1;
    ASAN_UNPOISON_MEMORY_REGION(start, pool_open[role]);
    return start;
}

static void *alloc_exact(int role, int64_t elems, int64_t elem_size, reader *r) {
    if (elems < 0 || elems > CAP / elem_size) {
        return NULL;
    }
    size_t bytes = (size_t)(elems * elem_size);
    uint8_t *p = pool_take(role, bytes);
    if (p == NULL) {
        return NULL;
    }
    /* Values from the fuzz bytes, repeated: any float bit pattern, NaN and inf included. Byte i is
     * pattern[i % 16] ^ (i * 131 mod 256), which repeats every 256 bytes: write one period, then
     * double the filled prefix with memcpy. A byte loop over megabytes under the sanitizers
     * dominated the time of an execution; the values are the same. */
    uint8_t pattern[16];
    for (int i = 0; i < 16; i++) {
        pattern[i] = u8(r);
    }
    size_t filled = bytes < 256 ? bytes : 256;
    for (size_t i = 0; i < filled; i++) {
        p[i] = (uint8_t)(pattern[i & 15] ^ (uint8_t)(i * 131));
    }
    while (filled < bytes) {
        size_t n = filled < bytes - filled ? filled : bytes - filled;
        memcpy(p + filled, p, n);
        filled += n;
    }
    return p;
}

static int32_t body_status;

static int32_t body(void) {
    return body_status;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    reader rd = {data, size, 0};
    reader *r = &rd;
    panattn_params p;
    memset(&p, 0, sizeof p);
    buffers b;
    memset(&b, 0, sizeof b);

    p.batch = size_of(r, 3);
    p.kv_heads = size_of(r, 3);
    p.heads = (u8(r) & 7) == 7 ? size_of(r, 4) : mulw(p.kv_heads, 1 + (u8(r) & 1));
    const int decode = (u8(r) & 3) == 3;
    p.seq_q = decode ? 1 + (u8(r) & 1) : size_of(r, 70);
    p.seq_k = decode ? 256 + (int64_t)(u8(r) % 4) * 256 + u8(r) : size_of(r, 140);
    p.head_dim = (u8(r) & 31) == 31 ? (u8(r) & 1 ? 1025 : 1024) : size_of(r, 72);
    uint8_t codes = u8(r);
    p.dtype = (codes & 3) == 3 ? (int32_t)(int8_t)u8(r) : (codes & 3);
    p.causal = ((codes >> 2) & 3) == 3 ? (int32_t)(int8_t)u8(r) : ((codes >> 2) & 3);
    p.isa = (codes >> 4) & 7; /* 6 and 7 invalid */
    uint32_t scale_bits = (codes & 0x80) ? u32(r) : 0x3e000000u; /* 0.125 */
    memcpy(&p.softmax_scale, &scale_bits, sizeof p.softmax_scale);

    const int64_t es = p.dtype == PANATTN_DTYPE_F32 ? 4 : 2; /* what panattn assumes for the codes it accepts */
    /* K and V as q's type (0), as fp16 / bf16 / int8 (which need fp32 queries), or a raw code */
    const uint8_t kvsel = u8(r);
    switch (kvsel & 7) {
    case 1: p.kv_dtype = PANATTN_DTYPE_F16; break;
    case 2: p.kv_dtype = PANATTN_DTYPE_BF16; break;
    case 3: case 4: p.kv_dtype = PANATTN_DTYPE_I8; break;
    case 5: p.kv_dtype = (int32_t)(int8_t)u8(r); break;
    default: p.kv_dtype = 0; break;
    }
    /* the softmax weights' precision: FP32 or BF16 (ABI 8), now and then a raw code */
    p.weights = (kvsel >> 4) == 15 ? (int64_t)(int8_t)u8(r) : (kvsel >> 3) & 1;
    const int64_t kv_es = p.kv_dtype == PANATTN_DTYPE_I8                                       ? 1
                          : p.kv_dtype == PANATTN_DTYPE_F16 || p.kv_dtype == PANATTN_DTYPE_BF16 ? 2
                                                                                               : es;
    int64_t qs[4] = {p.batch, p.heads, p.seq_q, p.head_dim}, ks[4] = {p.batch, p.kv_heads, p.seq_k, p.head_dim};
    int64_t qst[4], kst[4], vst[4], ost[4], one = 1;
    strides_for(r, qs, qst);
    strides_for(r, ks, kst);
    strides_for(r, ks, vst);
    strides_for(r, qs, ost);
    qst[3] = kst[3] = vst[3] = ost[3] = one;
    p.q_batch_stride = qst[0], p.q_head_stride = qst[1], p.q_row_stride = qst[2];
    p.k_batch_stride = kst[0], p.k_head_stride = kst[1], p.k_row_stride = kst[2];
    p.v_batch_stride = vst[0], p.v_head_stride = vst[1], p.v_row_stride = vst[2];
    p.out_batch_stride = ost[0], p.out_head_stride = ost[1], p.out_row_stride = ost[2];

    int feasible = 1; /* every claimed buffer could be allocated exactly */
    b.q = alloc_exact(ROLE_Q, extent(4, qs, qst), es, r);
    b.k = alloc_exact(ROLE_K, extent(4, ks, kst), kv_es, r);
    b.v = alloc_exact(ROLE_V, extent(4, ks, vst), kv_es, r);
    b.out = alloc_exact(ROLE_OUT, extent(4, qs, ost), es, r);
    feasible &= b.q && b.k && b.v && b.out;
    /* Pointers must be non-NULL for validation to get past them; a 1-byte stand-in when we could
     * not allocate (then forward is never called). */
    static uint8_t stand_in[1];
    p.q = b.q ? b.q : stand_in;
    p.k = b.k ? b.k : stand_in;
    p.v = b.v ? b.v : stand_in;
    p.out = b.out ? b.out : stand_in;
    if ((u8(r) & 3) == 3) {
        p.q = NULL; /* validation must refuse */
    }
    if (p.kv_dtype == PANATTN_DTYPE_I8 || (kvsel & 8)) {
        /* fp32 scales (batch, kv_heads, seq_k): laid out [b, h, s] or [b, s, h], one stride raw at
         * times; present for a non-int8 K/V (kvsel & 8) they must be refused */
        const int64_t kvh = p.kv_heads > 0 ? p.kv_heads : 1, sk = p.seq_k > 0 ? p.seq_k : 1;
        int64_t ss[3] = {p.batch, p.kv_heads, p.seq_k}, sst[3];
        if (kvsel & 16) {
            sst[1] = 1, sst[2] = kvh, sst[0] = mulw(kvh, sk);
        } else {
            sst[2] = 1, sst[1] = sk, sst[0] = mulw(kvh, sk);
        }
        if (kvsel & 32) {
            sst[u8(r) % 3] = (int64_t)(int8_t)u8(r);
        }
        p.k_scale_batch_stride = p.v_scale_batch_stride = sst[0];
        p.k_scale_head_stride = p.v_scale_head_stride = sst[1];
        p.k_scale_row_stride = p.v_scale_row_stride = sst[2];
        b.k_scale = alloc_exact(ROLE_K_SCALE, extent(3, ss, sst), 4, r);
        b.v_scale = alloc_exact(ROLE_V_SCALE, extent(3, ss, sst), 4, r);
        feasible &= b.k_scale && b.v_scale;
        p.k_scale = b.k_scale ? b.k_scale : (const float *)(const void *)stand_in;
        p.v_scale = b.v_scale ? b.v_scale : (const float *)(const void *)stand_in;
        if ((kvsel & 192) == 192) {
            p.v_scale = NULL; /* int8 without V scales: refused */
        }
    }

    uint8_t opt = u8(r);
    if (opt & 1) { /* lse (batch, heads, seq_q), rows contiguous */
        int64_t ls[3] = {p.batch, p.heads, p.seq_q}, lst[3];
        lst[2] = 1;
        lst[1] = (opt & 8) ? (int64_t)(int8_t)u8(r) : addw(p.seq_q > 0 ? p.seq_q : 1, u8(r) & 3);
        lst[0] = addw(mulw(p.heads > 0 ? p.heads : 1, lst[1]), u8(r) & 3);
        p.lse_batch_stride = lst[0], p.lse_head_stride = lst[1];
        b.lse = alloc_exact(ROLE_LSE, extent(3, ls, lst), 4, r);
        feasible &= b.lse != NULL;
        p.lse = b.lse ? b.lse : (float *)(void *)stand_in;
    }
    if (opt & 2) { /* mask (batch|1, heads|1, seq_q, seq_k) */
        int64_t mst[4];
        mst[3] = 1;
        mst[2] = (opt & 64) ? (int64_t)(int16_t)(u8(r) | u8(r) << 8) : (p.seq_k > 0 ? p.seq_k : 1);
        mst[1] = mulw(p.seq_q > 0 ? p.seq_q : 1, mst[2] > 0 ? mst[2] : 1);
        mst[0] = mulw(p.heads > 0 ? p.heads : 1, mst[1]);
        /* a broadcast dimension has stride 0 */
        if (opt & 16) {
            mst[0] = 0;
        }
        if (opt & 32) {
            mst[1] = 0;
        }
        p.mask_batch_stride = mst[0], p.mask_head_stride = mst[1], p.mask_row_stride = mst[2];
        /* the buffer covers exactly what (batch, heads, seq_q, seq_k) at these strides addresses */
        int64_t full[4] = {p.batch, p.heads, p.seq_q, p.seq_k};
        b.mask = alloc_exact(ROLE_MASK, extent(4, full, mst), 4, r);
        feasible &= b.mask != NULL;
        p.mask = b.mask ? b.mask : (const float *)(const void *)stand_in;
    }
    if (opt & 4) { /* key lengths, mostly in range */
        if (p.batch >= 1 && p.batch <= 64) {
            int32_t *kl = malloc((size_t)p.batch * sizeof *kl);
            for (int64_t i = 0; i < p.batch; i++) {
                uint8_t x = u8(r);
                kl[i] = (x & 15) == 15 ? (int32_t)u32(r) : (int32_t)(p.seq_k > 0 ? x % (p.seq_k + 1) : 0);
            }
            b.kl = kl;
            p.key_lengths = kl;
        } else {
            feasible = 0; /* a key_lengths array of that batch cannot be built: validate only, without one */
        }
    }

    uint8_t serving = u8(r);
    if (serving & 1) { /* sliding window: unbounded, small, or raw (negative, huge) bounds */
        p.window = (serving & 8) ? (int32_t)(int8_t)u8(r) : 1; /* raw: anything but 0/1 is refused */
        p.window_left = (serving & 16) ? i64(r) : (int64_t)(u8(r) % 160) - 1;
        p.window_right = (serving & 32) ? i64(r) : (int64_t)(u8(r) % 160) - 1;
    }
    if (serving & 2) { /* softcap: a small positive value, or raw float bits (NaN, inf, negative) */
        uint32_t bits = (serving & 64) ? u32(r) : 0x3f800000u + ((uint32_t)u8(r) << 19); /* 1 .. ~2^16 */
        memcpy(&p.softcap, &bits, sizeof p.softcap);
    }
    if (serving & 4) { /* ALiBi slopes: exactly heads floats, values from fuzz bytes */
        int64_t n = p.heads >= 1 && p.heads <= 64 ? p.heads : 0;
        if (n > 0) {
            float *slopes = malloc((size_t)n * sizeof *slopes);
            for (int64_t h = 0; h < n; h++) {
                uint32_t bits = (serving & 128) ? u32(r) : 0x3c000000u + ((uint32_t)u8(r) << 18); /* finite */
                memcpy(&slopes[h], &bits, sizeof slopes[h]);
            }
            b.slopes = slopes;
            p.alibi_slopes = slopes;
        } /* else: no slopes array of that many heads can be built; panattn_plan reads the slopes,
           * so no stand-in pointer either (as for key lengths) */
    }

    struct panattn_plan planned;
    int32_t status = panattn_plan(&p, 1, &planned);
    const int64_t tiles = status == PANATTN_OK ? planned.tiles : -1;
    (void)panattn_plan(&p, 1, NULL);
    (void)panattn_last_error();

    int32_t threads = (int32_t)(u8(r) % 70) - 2; /* -2..67 */
    struct panattn_plan fuzzed;
    int32_t plan = panattn_plan(&p, threads, &fuzzed);
    if (plan == PANATTN_OK && (fuzzed.splits < 1 || fuzzed.workspace_bytes < 0 || fuzzed.tiles != tiles ||
                               (fuzzed.splits == 1) != (fuzzed.workspace_bytes == 0))) {
        __builtin_trap(); /* a plan that contradicts the header */
    }
    if ((plan == PANATTN_OK) != (status == PANATTN_OK && threads >= 1)) {
        __builtin_trap(); /* the thread count alone decided differently */
    }

    /* Work bound: the sanitizers make every flop about ten times dearer. */
    int64_t work = 0;
    int in_budget = status == PANATTN_OK && !__builtin_mul_overflow(p.batch * p.heads, p.seq_q, &work) &&
                    !__builtin_mul_overflow(work, p.seq_k, &work) && !__builtin_mul_overflow(work, p.head_dim, &work) &&
                    work <= WORK_CAP;
    if (feasible && in_budget) {
        /* A fuzzed range first (often invalid), then all tiles in two pieces. */
        int64_t t0 = (int64_t)(int8_t)u8(r), t1 = t0 + (int64_t)(int8_t)u8(r);
        (void)panattn_forward(&p, &planned, t0, t1);
        int64_t mid = tiles > 0 ? (int64_t)u8(r) % (tiles + 1) : 0;
        if (panattn_forward(&p, &planned, 0, mid) != PANATTN_OK || panattn_forward(&p, &planned, mid, tiles) != PANATTN_OK) {
            __builtin_trap(); /* a valid range of valid params must run */
        }
        panattn_params changed = p;
        changed.seq_q++;
        if (panattn_forward(&changed, &planned, 0, 1) != PANATTN_ERR_INVALID_ARGUMENT) {
            __builtin_trap(); /* params changed after planning must be refused, not trusted */
        }
        /* Split-KV with the planned split, or a fuzzed one (valid or not). */
        int64_t s = (u8(r) & 1) && plan == PANATTN_OK ? fuzzed.splits : (int64_t)(int8_t)u8(r);
        struct panattn_plan split = planned;
        split.splits = s;
        int64_t wbytes = 0;
        int ws_ok = s >= 1 && !__builtin_mul_overflow(p.batch * p.heads * p.seq_q, s, &wbytes) &&
                    !__builtin_mul_overflow(wbytes, p.head_dim + 1, &wbytes) && wbytes <= CAP / 4;
        if (ws_ok) { /* wbytes * 4 + 1 <= CAP */
            b.ws = pool_take(ROLE_WS, (size_t)(wbytes * 4 + 1));
            int32_t part = panattn_forward_partial(&p, &split, b.ws, 0, tiles * s);
            if (part == PANATTN_OK) {
                if (panattn_merge_partial(&p, &split, b.ws, 0, tiles) != PANATTN_OK) {
                    __builtin_trap();
                }
            }
            (void)panattn_forward_partial(&p, &split, b.ws, tiles * s - 1, tiles * s + 1); /* past the end: refused */
            (void)panattn_merge_partial(&p, &split, b.ws, 0, tiles + 1);                   /* past the end: refused */
            (void)panattn_forward_partial(&p, &split, (uint8_t *)b.ws + 1, 0, 1);         /* misaligned: refused */
        }
        (void)panattn_forward_partial(&p, &split, NULL, 0, 1);
        (void)panattn_forward_partial(&p, NULL, b.ws, 0, 1);
    }
    (void)panattn_forward(NULL, &planned, 0, 1);
    (void)panattn_forward(&p, NULL, 0, 1);
    /* panattn_hold never reads its pointers and returns what the body returns */
    body_status = (int32_t)(int8_t)u8(r);
    if (panattn_hold(p.q, p.k, p.v, p.out, p.lse, p.mask, body) != body_status ||
        panattn_hold(p.q, p.k, p.v, p.out, p.lse, p.mask, NULL) != PANATTN_ERR_INVALID_ARGUMENT) {
        __builtin_trap();
    }

    free(b.kl), free(b.slopes); /* the tensors live in the pools */
    return 0;
}
