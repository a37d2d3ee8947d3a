/**
 * panama-attention: transformer attention for the JVM through the FFM API.
 *
 * <p>Run with {@code --enable-native-access=panama.attention,panama.attention.bindings} on the
 * module path, or {@code --enable-native-access=ALL-UNNAMED} on the class path. Add
 * {@code --add-modules jdk.incubator.vector} for the JAVA_VECTOR backend's Vector API path; without
 * it JAVA_VECTOR runs the same algorithm in scalar Java.
 */
module panama.attention {
    requires panama.attention.bindings;
    requires static jdk.incubator.vector;
    exports panama.attention;
}
