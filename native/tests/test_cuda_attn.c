/*
 * test_cuda_attn.c — libpanattn_cuda's attention kernels against a float64 oracle on the host.
 *
 * Without a usable device it checks that validation works anyway (unsupported head dims, packed
 * batches and paged keys are refused by name) and that memory and kernels report UNSUPPORTED with the CUDA error name.
 * With a device it runs every kernel (AUTO, FUSED, SIMT, SPLIT_KV) over F32/F16/BF16, head dims
 * 32..256, causal in both alignments with Lq != Lk, key lengths (0 included), a broadcast
 * additive mask with -inf rows, GQA and LSE, with poisoned outputs (0xFF = NaN) and K/V rows past
 * each key length set to NaN. Tolerance (docs/CONVENTIONS.md item 2): max|kernel - ref| <= 2 * max|naive - ref| + 1e-5,
 * naive being the same precision's plain computation (fp32 softmax, P rounded to the dtype, O
 * rounded to the dtype), FlashAttention's rule. Fully masked rows: out exactly 0, lse -inf.
 * Poisoned-key cases put NaN/inf in K and V of keys that are causally hidden or -inf-masked for
 * most rows but inside the tiles those rows load (and visible to a few rows): the oracle sees the
 * same poison, so rows that see such a key must be NaN/inf and every other row exact.
 * Every case prints its seed (PANATTN_CUDA_TEST_SEED=n shifts them all); a failing case prints
 * its bad elements by (query row mod 16, head-dim column mod 16), which names the fragment lane.
 * Small shapes, so compute-sanitizer can run it (bench/gpu/check.sh).
 */
#include <math.h>
#include <string.h>

#include "panattn.h"
#include "panattn_cuda.h"
#include "panattn_half.h"
#include "test_common.h"

/* poison: K and V of every key j with j % 6 == 5 are NaN (or +inf when j % 12 == 11); with mask
 * set, those keys are -inf-masked for every query row but those with i % 8 == 1. */
typedef struct tcase {
    int dtype, b, h, hk, lq, lk, d, causal, keylens, mask, kernel, splits, poison;
} tcase;

static int poisoned_key(int j) {
    return j % 6 == 5;
}

static float poison_value(int j) {
    return j % 12 == 11 ? INFINITY : NAN;
}

/* Bad elements of a (rows x d) result by (row mod 16, column mod 16): an error that follows one
 * lane of an mma fragment shows up as a few hot cells. bad[i] says whether element i is wrong. */
static void print_histogram(const unsigned char *bad, size_t n, int lq, int d) {
    unsigned hist[16][16] = {{0}};
    for (size_t i = 0; i < n; i++) {
        if (bad[i]) {
            hist[(i / (size_t)d) % (size_t)lq % 16][i % (size_t)d % 16]++;
        }
    }
    printf("     bad elements by (row %% 16) x (col %% 16):\n     row\\col");
    for (int c = 0; c < 16; c++) {
        printf("%5d", c);
    }
    printf("\n");
    for (int r = 0; r < 16; r++) {
        printf("     %7d", r);
        for (int c = 0; c < 16; c++) {
            printf("%5u", hist[r][c]);
        }
        printf("\n");
    }
}

static float round_to(int dtype, float x) {
    if (dtype == PANATTN_DTYPE_F16) {
        return panattn_f16_to_f32(panattn_f32_to_f16(x));
    }
    if (dtype == PANATTN_DTYPE_BF16) {
        return panattn_bf16_to_f32(panattn_f32_to_bf16(x));
    }
    return x;
}

static void store(int dtype, void *buf, size_t i, float x) {
    if (dtype == PANATTN_DTYPE_F32) {
        ((float *)buf)[i] = x;
    } else if (dtype == PANATTN_DTYPE_F16) {
        ((uint16_t *)buf)[i] = panattn_f32_to_f16(x);
    } else {
        ((uint16_t *)buf)[i] = panattn_f32_to_bf16(x);
    }
}

static float load(int dtype, const void *buf, size_t i) {
    if (dtype == PANATTN_DTYPE_F32) {
        return ((const float *)buf)[i];
    }
    if (dtype == PANATTN_DTYPE_F16) {
        return panattn_f16_to_f32(((const uint16_t *)buf)[i]);
    }
    return panattn_bf16_to_f32(((const uint16_t *)buf)[i]);
}

#define DEV(call)                                                                                       \
    do {                                                                                                \
        if ((call) != PANATTN_OK) {                                                                     \
            report(0, #call, panattn_cuda_last_error());                                                \
            goto done;                                                                                  \
        }                                                                                               \
    } while (0)

static void run_case(const tcase *c, uint64_t seed) {
    const int es = c->dtype == PANATTN_DTYPE_F32 ? 4 : 2;
    const size_t nq = (size_t)c->b * c->h * c->lq * c->d, nk = (size_t)c->b * c->hk * c->lk * c->d;
    const size_t nm = (size_t)c->h * c->lq * c->lk; /* mask broadcast over batch: (1, h, lq, lk) */
    const size_t nl = (size_t)c->b * c->h * c->lq;
    float *q = malloc(nq * 4), *k = malloc(nk * 4), *v = malloc(nk * 4), *mask = malloc(nm * 4);
    void *hq = malloc(nq * es), *hk = malloc(nk * es), *hv = malloc(nk * es), *ho = malloc(nq * es);
    float *hl = malloc(nl * 4);
    double *ref = malloc(nq * 8), *refl = malloc(nl * 8), *naive = malloc(nq * 8);
    int32_t keylen[8];
    void *dq = NULL, *dk = NULL, *dv = NULL, *dout = NULL, *dl = NULL, *dm = NULL, *dkl = NULL;
    char name[200], detail[300];
    snprintf(name, sizeof name, "seed %llu dtype %d kernel %d splits %d b%d h%d/%d lq%d lk%d d%d causal %d keylens %d mask %d poison %d",
             (unsigned long long)seed, c->dtype, c->kernel, c->splits, c->b, c->h, c->hk, c->lq, c->lk, c->d, c->causal,
             c->keylens, c->mask, c->poison);
    rng r = {seed * 0x9E3779B97F4A7C15ull + 1};
    for (int bb = 0; bb < c->b; bb++) {
        keylen[bb] = c->keylens ? (int32_t)((bb * 7919 + 3) % (c->lk + 1)) : c->lk;
    }
    if (c->keylens && c->b > 1) {
        keylen[1] = 0; /* an empty cache: every row fully masked */
    }
    for (size_t i = 0; i < nq; i++) {
        q[i] = round_to(c->dtype, 2.0f * rng_sym(&r));
        store(c->dtype, hq, i, q[i]);
    }
    for (size_t i = 0; i < nk; i++) {
        k[i] = round_to(c->dtype, 2.0f * rng_sym(&r));
        v[i] = round_to(c->dtype, rng_sym(&r));
        const size_t row = (i / c->d) % c->lk, bb = i / ((size_t)c->hk * c->lk * c->d);
        if (c->poison && poisoned_key((int)row)) {
            k[i] = poison_value((int)row); /* the oracle sees it too: rows that see the key go NaN */
            v[i] = poison_value((int)row);
        }
        /* poison: rows past the key length are NaN on the device; the kernel must not read them into O */
        store(c->dtype, hk, i, (int)row >= keylen[bb] ? NAN : k[i]);
        store(c->dtype, hv, i, (int)row >= keylen[bb] ? NAN : v[i]);
    }
    for (size_t i = 0; i < nm; i++) {
        mask[i] = rng_sym(&r);
        const size_t row = (i / c->lk) % c->lq;
        if (c->poison) {
            if (poisoned_key((int)(i % c->lk)) && row % 8 != 1) {
                mask[i] = -INFINITY; /* hides the poisoned key from all rows but i % 8 == 1 */
            }
        } else if (row % 5 == 3) {
            mask[i] = -INFINITY; /* a fully masked row */
        } else if ((i * 2654435761u) % 7 == 0) {
            mask[i] = -INFINITY;
        }
    }
    const double scale = 1.0 / sqrt((double)c->d);
    const float scalef = (float)scale;
    /* float64 oracle and the same-precision naive computation */
    double *logit = malloc((size_t)c->lk * 8);
    for (int bb = 0; bb < c->b; bb++) {
        for (int hh = 0; hh < c->h; hh++) {
            const int kh = hh / (c->h / c->hk);
            for (int i = 0; i < c->lq; i++) {
                const int kv = keylen[bb];
                int vend = kv;
                if (c->causal == PANATTN_CAUSAL_TOP_LEFT) {
                    vend = i + 1 < kv ? i + 1 : kv;
                } else if (c->causal == PANATTN_CAUSAL_BOTTOM_RIGHT) {
                    vend = i + 1 + kv - c->lq < kv ? i + 1 + kv - c->lq : kv;
                }
                double mx = -INFINITY;
                const float *qi = q + (((size_t)bb * c->h + hh) * c->lq + i) * c->d;
                for (int j = 0; j < c->lk; j++) {
                    const float *kj = k + (((size_t)bb * c->hk + kh) * c->lk + j) * c->d;
                    double s = 0;
                    for (int d = 0; d < c->d; d++) {
                        s += (double)qi[d] * kj[d];
                    }
                    s = s * (double)scalef + (c->mask ? mask[((size_t)hh * c->lq + i) * c->lk + j] : 0.0);
                    logit[j] = j < vend ? s : -INFINITY;
                    mx = logit[j] > mx ? logit[j] : mx;
                }
                /* a NaN logit (poisoned key the row sees) never wins mx but makes sum NaN */
                double sum = 0;
                float sumf = 0;
                int seen = 0;
                for (int j = 0; j < c->lk; j++) {
                    if (logit[j] == -INFINITY) {
                        continue;
                    }
                    seen = 1;
                    sum += exp(logit[j] - mx);
                    sumf += expf((float)(logit[j] - mx));
                }
                const size_t o = (((size_t)bb * c->h + hh) * c->lq + i) * c->d;
                for (int d = 0; d < c->d; d++) {
                    double acc = 0;
                    float accf = 0;
                    for (int j = 0; j < c->lk; j++) {
                        if (logit[j] == -INFINITY) {
                            continue;
                        }
                        const double vv = v[(((size_t)bb * c->hk + kh) * c->lk + j) * c->d + d];
                        acc += exp(logit[j] - mx) * vv;
                        accf += round_to(c->dtype, expf((float)(logit[j] - mx))) * (float)vv;
                    }
                    ref[o + d] = seen ? acc / sum : 0.0;
                    naive[o + d] = seen ? round_to(c->dtype, accf / sumf) : 0.0;
                }
                refl[((size_t)bb * c->h + hh) * c->lq + i] = seen ? mx + log(sum) : -INFINITY;
            }
        }
    }
    free(logit);

    DEV(panattn_cuda_malloc(0, (int64_t)(nq * es), &dq));
    DEV(panattn_cuda_malloc(0, (int64_t)(nk * es), &dk));
    DEV(panattn_cuda_malloc(0, (int64_t)(nk * es), &dv));
    DEV(panattn_cuda_malloc(0, (int64_t)(nq * es), &dout));
    DEV(panattn_cuda_malloc(0, (int64_t)(nl * 4), &dl));
    DEV(panattn_cuda_malloc(0, (int64_t)(nm * 4), &dm));
    DEV(panattn_cuda_malloc(0, (int64_t)sizeof keylen, &dkl));
    DEV(panattn_cuda_memcpy(0, dq, hq, (int64_t)(nq * es), NULL));
    DEV(panattn_cuda_memcpy(0, dk, hk, (int64_t)(nk * es), NULL));
    DEV(panattn_cuda_memcpy(0, dv, hv, (int64_t)(nk * es), NULL));
    DEV(panattn_cuda_memcpy(0, dm, mask, (int64_t)(nm * 4), NULL));
    DEV(panattn_cuda_memcpy(0, dkl, keylen, (int64_t)sizeof keylen, NULL));
    DEV(panattn_cuda_memset(0, dout, 0xFF, (int64_t)(nq * es), NULL));
    DEV(panattn_cuda_memset(0, dl, 0xFF, (int64_t)(nl * 4), NULL));
    {
        panattn_params p;
        memset(&p, 0, sizeof p);
        p.q = dq;
        p.k = dk;
        p.v = dv;
        p.out = dout;
        p.lse = dl;
        p.mask = c->mask ? dm : NULL;
        p.key_lengths = c->keylens ? dkl : NULL;
        p.batch = c->b;
        p.heads = c->h;
        p.kv_heads = c->hk;
        p.seq_q = c->lq;
        p.seq_k = c->lk;
        p.head_dim = c->d;
        p.q_row_stride = p.out_row_stride = c->d;
        p.q_head_stride = p.out_head_stride = (int64_t)c->lq * c->d;
        p.q_batch_stride = p.out_batch_stride = (int64_t)c->h * c->lq * c->d;
        p.k_row_stride = p.v_row_stride = c->d;
        p.k_head_stride = p.v_head_stride = (int64_t)c->lk * c->d;
        p.k_batch_stride = p.v_batch_stride = (int64_t)c->hk * c->lk * c->d;
        p.lse_head_stride = c->lq;
        p.lse_batch_stride = (int64_t)c->h * c->lq;
        p.mask_batch_stride = 0;
        p.mask_head_stride = (int64_t)c->lq * c->lk;
        p.mask_row_stride = c->lk;
        p.softmax_scale = scalef;
        p.causal = c->causal;
        p.dtype = c->dtype;
        DEV(panattn_cuda_forward(&p, 0, c->kernel, c->splits, NULL));
    }
    DEV(panattn_cuda_memcpy(0, ho, dout, (int64_t)(nq * es), NULL));
    DEV(panattn_cuda_memcpy(0, hl, dl, (int64_t)(nl * 4), NULL));
    {
        /* expected NaN: got NaN; expected +-inf: got inf or NaN (inf - inf on the way is NaN);
         * expected finite: within tol; rows that see no key: exactly 0 and lse -inf */
        double err = 0, nerr = 0;
        size_t worst = 0, bad_masked = 0, nan = 0, wrong_nonfinite = 0, nbad = 0;
        unsigned char *bad = calloc(nq, 1);
        for (size_t i = 0; i < nq; i++) {
            if (isfinite(naive[i]) && isfinite(ref[i])) {
                nerr = fabs(naive[i] - ref[i]) > nerr ? fabs(naive[i] - ref[i]) : nerr;
            }
        }
        const double tol = 2 * nerr + 1e-5;
        for (size_t i = 0; i < nq; i++) {
            const double got = load(c->dtype, ho, i);
            if (!isfinite(ref[i])) {
                bad[i] = isnan(ref[i]) ? !isnan(got) : isfinite(got);
                wrong_nonfinite += bad[i];
                continue;
            }
            if (isnan(got)) {
                nan++;
                bad[i] = 1;
                continue;
            }
            const double e = fabs(got - ref[i]);
            if (e > err) {
                err = e;
                worst = i;
            }
            bad[i] = e > tol;
        }
        double lerr = 0;
        size_t lbad = 0;
        for (size_t i = 0; i < nl; i++) {
            if (refl[i] == -INFINITY) {
                bad_masked += !(hl[i] == -INFINITY);
                for (int d = 0; d < c->d; d++) {
                    const int nz = load(c->dtype, ho, i * c->d + d) != 0.0f;
                    bad_masked += nz;
                    bad[i * c->d + d] |= (unsigned char)nz;
                }
            } else if (isnan(refl[i])) {
                lbad += !isnan(hl[i]);
            } else {
                const double e = fabs(hl[i] - refl[i]) / (1 + fabs(refl[i]));
                lerr = isnan(e) ? INFINITY : (e > lerr ? e : lerr);
            }
        }
        for (size_t i = 0; i < nq; i++) {
            nbad += bad[i];
        }
        const double ltol = c->dtype == PANATTN_DTYPE_F32 ? 1e-5 : 2e-3;
        snprintf(detail, sizeof detail,
                 "max err %.3g (tol %.3g = 2 x naive %.3g + 1e-5) at %zu; lse err %.3g, %zu lse not NaN; %zu NaN; "
                 "%zu wrong non-finite; %zu bad masked",
                 err, tol, nerr, worst, lerr, lbad, nan, wrong_nonfinite, bad_masked);
        const int ok = nan == 0 && err <= tol && lerr <= ltol && lbad == 0 && wrong_nonfinite == 0 && bad_masked == 0;
        report(ok, name, detail);
        if (!ok) {
            printf("     %zu bad of %zu elements\n", nbad, nq);
            print_histogram(bad, nq, c->lq, c->d);
        }
        free(bad);
    }
done:
    panattn_cuda_free(0, dq);
    panattn_cuda_free(0, dk);
    panattn_cuda_free(0, dv);
    panattn_cuda_free(0, dout);
    panattn_cuda_free(0, dl);
    panattn_cuda_free(0, dm);
    panattn_cuda_free(0, dkl);
    free(q); free(k); free(v); free(mask); free(hq); free(hk); free(hv); free(ho); free(hl);
    free(ref); free(refl); free(naive);
}

static void validation_without_device(void) {
    panattn_params p;
    memset(&p, 0, sizeof p);
    int x;
    p.q = p.k = p.v = &x;
    p.out = &x;
    p.batch = p.heads = p.kv_heads = p.seq_q = p.seq_k = 1;
    p.head_dim = 40;
    p.softmax_scale = 1.0f;
    int32_t st = panattn_cuda_validate(&p);
    report(st == PANATTN_ERR_UNSUPPORTED && strstr(panattn_cuda_last_error(), "head_dim 40") != NULL,
           "head_dim 40 is refused by name", panattn_cuda_last_error());
    p.head_dim = 64;
    report(panattn_cuda_validate(&p) == PANATTN_OK, "a valid problem validates (no device needed)", panattn_cuda_last_error());
    p.kv_dtype = PANATTN_DTYPE_I8;
    st = panattn_cuda_validate(&p);
    report(st == PANATTN_ERR_UNSUPPORTED && strstr(panattn_cuda_last_error(), "kv_dtype") != NULL,
           "a quantised K/V dtype is refused by name", panattn_cuda_last_error());
    p.kv_dtype = 0;
    p.heads = 3;
    p.kv_heads = 2;
    report(panattn_cuda_validate(&p) == PANATTN_ERR_INVALID_ARGUMENT, "kv_heads must divide heads", panattn_cuda_last_error());
    report(panattn_cuda_validate(NULL) == PANATTN_ERR_INVALID_ARGUMENT, "NULL params", panattn_cuda_last_error());
    p.heads = 1;
    p.kv_heads = 1;

    /* packed batches and paged keys: refused by the field's name, not computed as plain batches */
    int32_t cu[2] = {0, 1}, table[1] = {0};
    const char *fields[] = {"cu_seqlens_q", "cu_seqlens_k", "block_table"};
    for (int f = 0; f < 3; f++) {
        panattn_params g = p;
        if (f == 0) {
            g.cu_seqlens_q = cu;
        } else if (f == 1) {
            g.cu_seqlens_k = cu;
        } else {
            g.block_table = table, g.block_table_stride = 1, g.max_blocks_per_seq = 1, g.block_size = 1, g.num_blocks = 1;
        }
        char name[96];
        snprintf(name, sizeof name, "%s set: UNSUPPORTED, naming the field", fields[f]);
        st = panattn_cuda_validate(&g);
        report(st == PANATTN_ERR_UNSUPPORTED && strstr(panattn_cuda_last_error(), fields[f]) != NULL, name,
               panattn_cuda_last_error());
    }
    report(panattn_cuda_validate(&p) == PANATTN_OK, "the same params without them validate", panattn_cuda_last_error());
}

int main(void) {
    validation_without_device();
    int32_t count = 0;
    if (panattn_cuda_device_count(&count) != PANATTN_OK) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s", panattn_cuda_last_error());
        void *ptr = NULL;
        int32_t st = panattn_cuda_malloc(0, 1024, &ptr);
        report(st == PANATTN_ERR_UNSUPPORTED && strstr(panattn_cuda_last_error(), "cudaError") != NULL,
               "no device: cudaMalloc is UNSUPPORTED with the CUDA error name", panattn_cuda_last_error());
        printf("no usable CUDA device (%s): kernel checks skipped\n", msg);
        return summary("test_cuda_attn (no device)");
    }
    char desc[256];
    if (panattn_cuda_device_describe(0, desc, sizeof desc) == PANATTN_OK) {
        printf("device 0: %s\n", desc);
    }
    const int dtypes[] = {PANATTN_DTYPE_F32, PANATTN_DTYPE_F16, PANATTN_DTYPE_BF16};
    const int dims[] = {32, 64, 80, 96, 128, 256};
    /* PANATTN_CUDA_TEST_QUICK (for compute-sanitizer, 10-100x slower): 1 = head dims 64 and 256
     * only (memcheck); 2 = head dim 64, F32 and F16 only (racecheck) */
    const char *quick_env = getenv("PANATTN_CUDA_TEST_QUICK");
    const int quick = quick_env != NULL ? atoi(quick_env) : 0;
    /* PANATTN_CUDA_TEST_SEED=n: every case's seed is shifted by n (each case prints its own) */
    const char *seed_env = getenv("PANATTN_CUDA_TEST_SEED");
    uint64_t seed = 1 + (seed_env != NULL ? strtoull(seed_env, NULL, 10) : 0);
    printf("seeds start at %llu (PANATTN_CUDA_TEST_SEED=%s)\n", (unsigned long long)seed, seed_env != NULL ? seed_env : "unset");
    for (int di = 0; di < 3; di++) {
        const int dt = dtypes[di];
        for (int dd = 0; dd < 6; dd++) {
            if ((quick == 1 && dims[dd] != 64 && dims[dd] != 256) || (quick >= 2 && (dims[dd] != 64 || dt == PANATTN_DTYPE_BF16))) {
                continue;
            }
            const int d = dims[dd];
            tcase plain = {dt, 2, 4, 2, 77, 93, d, PANATTN_CAUSAL_NONE, 0, 0, PANATTN_CUDA_KERNEL_AUTO, 0, 0};
            run_case(&plain, seed++);
            tcase tl = {dt, 2, 2, 1, 70, 45, d, PANATTN_CAUSAL_TOP_LEFT, 1, 1, PANATTN_CUDA_KERNEL_FUSED, 0, 0};
            run_case(&tl, seed++);
            tcase br = {dt, 3, 4, 4, 65, 130, d, PANATTN_CAUSAL_BOTTOM_RIGHT, 1, 0, PANATTN_CUDA_KERNEL_FUSED, 0, 0};
            run_case(&br, seed++);
            tcase brl = {dt, 1, 2, 2, 129, 17, d, PANATTN_CAUSAL_BOTTOM_RIGHT, 0, 1, PANATTN_CUDA_KERNEL_FUSED, 0, 0};
            run_case(&brl, seed++);
            tcase simt = {dt, 2, 4, 1, 33, 64, d, PANATTN_CAUSAL_BOTTOM_RIGHT, 1, 1, PANATTN_CUDA_KERNEL_SIMT, 0, 0};
            run_case(&simt, seed++);
            tcase split = {dt, 3, 4, 2, 5, 700, d, PANATTN_CAUSAL_BOTTOM_RIGHT, 1, 1, PANATTN_CUDA_KERNEL_SPLIT_KV, 5, 0};
            run_case(&split, seed++);
            tcase decode = {dt, 2, 8, 2, 1, 1500, d, PANATTN_CAUSAL_NONE, 1, 0, PANATTN_CUDA_KERNEL_AUTO, 0, 0};
            run_case(&decode, seed++);
            /* poisoned keys inside the tiles: causally hidden, -inf-masked, both, and split-KV */
            tcase pc = {dt, 2, 2, 1, 77, 77, d, PANATTN_CAUSAL_TOP_LEFT, 0, 0, PANATTN_CUDA_KERNEL_FUSED, 0, 1};
            run_case(&pc, seed++);
            tcase pm = {dt, 2, 2, 1, 45, 77, d, PANATTN_CAUSAL_NONE, 0, 1, PANATTN_CUDA_KERNEL_FUSED, 0, 1};
            run_case(&pm, seed++);
            tcase pb = {dt, 2, 4, 2, 19, 130, d, PANATTN_CAUSAL_BOTTOM_RIGHT, 1, 1, PANATTN_CUDA_KERNEL_FUSED, 0, 1};
            run_case(&pb, seed++);
            tcase ps = {dt, 2, 4, 1, 33, 70, d, PANATTN_CAUSAL_TOP_LEFT, 1, 1, PANATTN_CUDA_KERNEL_SIMT, 0, 1};
            run_case(&ps, seed++);
            tcase pk = {dt, 2, 2, 1, 3, 600, d, PANATTN_CAUSAL_BOTTOM_RIGHT, 1, 1, PANATTN_CUDA_KERNEL_SPLIT_KV, 5, 1};
            run_case(&pk, seed++);
        }
    }
    tcase one = {PANATTN_DTYPE_F16, 1, 1, 1, 1, 1, 64, PANATTN_CAUSAL_TOP_LEFT, 0, 0, PANATTN_CUDA_KERNEL_FUSED, 0, 0};
    run_case(&one, seed++);
    return summary("test_cuda_attn");
}
