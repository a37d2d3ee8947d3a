package panama.attention.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;

import org.junit.jupiter.api.Test;

/**
 * Without {@code -l}, jextract's header classes initialise with no library loaded and resolve each
 * symbol only when that function's holder class first initialises. Checked in a fresh class loader,
 * whose {@code loaderLookup()} sees no library, whatever other tests in this JVM have loaded.
 */
class LazySymbolResolutionTest {

    @Test
    void headerAndStructClassesNeedNoLibrary() throws Exception {
        URL classes = panattn_h.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader isolated = new URLClassLoader(new URL[] {classes}, ClassLoader.getPlatformClassLoader())) {
            for (String name : new String[] {"panattn_h", "panattn_cuda_h", "cblas_h"}) {
                Class<?> header = Class.forName("panama.attention.bindings." + name, true, isolated);
                assertEquals(isolated, header.getClassLoader());
            }
            Class<?> params = Class.forName("panama.attention.bindings.panattn_params", true, isolated);
            assertEquals(panattn_params.sizeof(), params.getMethod("sizeof").invoke(null));

            Class<?> header = Class.forName("panama.attention.bindings.panattn_h", true, isolated);
            assertEquals(128, header.getMethod("PANATTN_TILE_Q").invoke(null));
            InvocationTargetException e = assertThrows(InvocationTargetException.class,
                    () -> header.getMethod("panattn_abi_version$descriptor").invoke(null));
            // The holder's initialiser throws an Error, which class initialisation passes on unwrapped.
            UnsatisfiedLinkError link = assertInstanceOf(UnsatisfiedLinkError.class, e.getCause());
            assertEquals("unresolved symbol: panattn_abi_version", link.getMessage());
        }
    }
}
