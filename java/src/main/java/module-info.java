/**
 * panama-attention: transformer attention for the JVM through the FFM API.
 *
 * <p>Maven: {@code io.github.panama-attention:panama-attention} (the native libraries for
 * linux-x86_64 are inside the jar). Run with
 * {@code --enable-native-access=panama.attention,panama.attention.bindings} on the module path, or
 * {@code --enable-native-access=ALL-UNNAMED} on the class path. An executable jar
 * ({@code java -jar app.jar}) can carry the grant in its manifest instead:
 * {@code Enable-Native-Access: ALL-UNNAMED} (the only value the manifest accepts). Without it
 * JDK 22+ prints a warning on the first native call and a future JDK will refuse the call. Add
 * {@code --add-modules jdk.incubator.vector} for the JAVA_VECTOR backend's Vector API path; without
 * it JAVA_VECTOR runs the same algorithm in scalar Java.
 */
module panama.attention {
    requires panama.attention.bindings;
    requires static jdk.incubator.vector;
    exports panama.attention;
}
