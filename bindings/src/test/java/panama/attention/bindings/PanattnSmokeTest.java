package panama.attention.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Calls into libpanattn.so through the bindings: the ABI version and the version string. */
class PanattnSmokeTest {

    @BeforeAll
    static void load() {
        assumeTrue(Files.isRegularFile(NativeLibraries.panattnLibrary()),
                NativeLibraries.panattnLibrary() + " not built yet (mvn -pl bindings generate-resources)");
        NativeLibraries.loadPanattn();
    }

    @Test
    void abiVersionMatchesHeader() {
        assertEquals(panattn_h.PANATTN_ABI_VERSION(), panattn_h.panattn_abi_version());
    }

    @Test
    void versionStringIsReadable() {
        String version = panattn_h.panattn_version_string().getString(0);
        assertFalse(version.isBlank(), "panattn_version_string() returned an empty string");
    }

    @Test
    void lastErrorIsEmptyBeforeAnyFailure() {
        // A fresh thread has no failed call yet, so its message is "".
        String[] message = new String[1];
        Thread t = Thread.ofPlatform().start(() -> message[0] = panattn_h.panattn_last_error().getString(0));
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertEquals("", message[0]);
    }
}
