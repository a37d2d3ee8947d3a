/**
 * Bindings to the native side of panama-attention, in the shape jextract 22+ generates.
 * Never edited by hand in spirit: {@code bindings/jextract.sh} regenerates them, and
 * {@code BindingsDriftTest} fails when they and the C headers disagree.
 */
module panama.attention.bindings {
    exports panama.attention.bindings;
}
