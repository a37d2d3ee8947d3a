/**
 * panama-attention: transformer attention for the JVM through the FFM API.
 *
 * <p>Run with {@code --enable-native-access=panama.attention,panama.attention.bindings} on the
 * module path, or {@code --enable-native-access=ALL-UNNAMED} on the class path.
 */
module panama.attention {
    requires panama.attention.bindings;
    exports panama.attention;
}
