/* Prints what the C compiler makes of the C boundary, for BindingsDriftTest:
 *   sizeof <type> <bytes>
 *   offsetof <struct> <field> <bytes>
 * Every field of every struct in panattn.h must be listed here; the drift test checks the
 * header, this probe and the Java bindings all name the same fields. */
#include <stddef.h>
#include <stdio.h>

#include "panattn.h"

#define SIZE(T) printf("sizeof %s %zu\n", #T, sizeof(T))
#define FIELD(S, F) printf("offsetof %s %s %zu\n", #S, #F, offsetof(S, F))

int main(void) {
    SIZE(panattn_params);
    FIELD(panattn_params, q);
    FIELD(panattn_params, k);
    FIELD(panattn_params, v);
    FIELD(panattn_params, out);
    FIELD(panattn_params, lse);
    FIELD(panattn_params, mask);
    FIELD(panattn_params, key_lengths);
    FIELD(panattn_params, batch);
    FIELD(panattn_params, heads);
    FIELD(panattn_params, kv_heads);
    FIELD(panattn_params, seq_q);
    FIELD(panattn_params, seq_k);
    FIELD(panattn_params, head_dim);
    FIELD(panattn_params, q_batch_stride);
    FIELD(panattn_params, q_head_stride);
    FIELD(panattn_params, q_row_stride);
    FIELD(panattn_params, k_batch_stride);
    FIELD(panattn_params, k_head_stride);
    FIELD(panattn_params, k_row_stride);
    FIELD(panattn_params, v_batch_stride);
    FIELD(panattn_params, v_head_stride);
    FIELD(panattn_params, v_row_stride);
    FIELD(panattn_params, out_batch_stride);
    FIELD(panattn_params, out_head_stride);
    FIELD(panattn_params, out_row_stride);
    FIELD(panattn_params, lse_batch_stride);
    FIELD(panattn_params, lse_head_stride);
    FIELD(panattn_params, mask_batch_stride);
    FIELD(panattn_params, mask_head_stride);
    FIELD(panattn_params, mask_row_stride);
    FIELD(panattn_params, softmax_scale);
    FIELD(panattn_params, causal);
    FIELD(panattn_params, dtype);
    FIELD(panattn_params, isa);
    return 0;
}
