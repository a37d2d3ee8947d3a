/* Prints what the C compiler makes of the C boundary, for BindingsDriftTest:
 *   sizeof <struct tag> <bytes>
 *   offsetof <struct tag> <field> <bytes>
 * Every field of every struct in panattn.h must be listed here; the drift test checks the
 * header, this probe and the Java bindings all name the same fields at the same offsets. */
#include <stddef.h>
#include <stdio.h>

#include "panattn.h"

/* S is `struct <tag>`; the lines name the tag alone, which is what the bindings' classes are called. */
#define TAG(S) (#S + sizeof "struct")
#define SIZE(S) printf("sizeof %s %zu\n", TAG(S), sizeof(S))
#define FIELD(S, F) printf("offsetof %s %s %zu\n", TAG(S), #F, offsetof(S, F))

int main(void) {
    SIZE(struct panattn_params);
    FIELD(struct panattn_params, q);
    FIELD(struct panattn_params, k);
    FIELD(struct panattn_params, v);
    FIELD(struct panattn_params, out);
    FIELD(struct panattn_params, lse);
    FIELD(struct panattn_params, mask);
    FIELD(struct panattn_params, key_lengths);
    FIELD(struct panattn_params, batch);
    FIELD(struct panattn_params, heads);
    FIELD(struct panattn_params, kv_heads);
    FIELD(struct panattn_params, seq_q);
    FIELD(struct panattn_params, seq_k);
    FIELD(struct panattn_params, head_dim);
    FIELD(struct panattn_params, q_batch_stride);
    FIELD(struct panattn_params, q_head_stride);
    FIELD(struct panattn_params, q_row_stride);
    FIELD(struct panattn_params, k_batch_stride);
    FIELD(struct panattn_params, k_head_stride);
    FIELD(struct panattn_params, k_row_stride);
    FIELD(struct panattn_params, v_batch_stride);
    FIELD(struct panattn_params, v_head_stride);
    FIELD(struct panattn_params, v_row_stride);
    FIELD(struct panattn_params, out_batch_stride);
    FIELD(struct panattn_params, out_head_stride);
    FIELD(struct panattn_params, out_row_stride);
    FIELD(struct panattn_params, lse_batch_stride);
    FIELD(struct panattn_params, lse_head_stride);
    FIELD(struct panattn_params, mask_batch_stride);
    FIELD(struct panattn_params, mask_head_stride);
    FIELD(struct panattn_params, mask_row_stride);
    FIELD(struct panattn_params, softmax_scale);
    FIELD(struct panattn_params, causal);
    FIELD(struct panattn_params, dtype);
    FIELD(struct panattn_params, isa);
    FIELD(struct panattn_params, alibi_slopes);
    FIELD(struct panattn_params, window_left);
    FIELD(struct panattn_params, window_right);
    FIELD(struct panattn_params, softcap);
    FIELD(struct panattn_params, window);
    FIELD(struct panattn_params, cu_seqlens_q);
    FIELD(struct panattn_params, cu_seqlens_k);
    FIELD(struct panattn_params, block_table);
    FIELD(struct panattn_params, block_table_stride);
    FIELD(struct panattn_params, max_blocks_per_seq);
    FIELD(struct panattn_params, block_size);
    FIELD(struct panattn_params, num_blocks);
    FIELD(struct panattn_params, kv_dtype);
    FIELD(struct panattn_params, k_scale);
    FIELD(struct panattn_params, v_scale);
    FIELD(struct panattn_params, k_scale_batch_stride);
    FIELD(struct panattn_params, k_scale_head_stride);
    FIELD(struct panattn_params, k_scale_row_stride);
    FIELD(struct panattn_params, v_scale_batch_stride);
    FIELD(struct panattn_params, v_scale_head_stride);
    FIELD(struct panattn_params, v_scale_row_stride);
    FIELD(struct panattn_params, weights);
    SIZE(struct panattn_plan);
    FIELD(struct panattn_plan, tiles);
    FIELD(struct panattn_plan, splits);
    FIELD(struct panattn_plan, workspace_bytes);
    FIELD(struct panattn_plan, params_digest);
    return 0;
}
