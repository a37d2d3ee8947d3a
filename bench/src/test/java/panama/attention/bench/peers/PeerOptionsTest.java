package panama.attention.bench.peers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PeerOptionsTest {
    @Test
    void defaultsAreTheComparisonShapes() {
        PeerOptions o = PeerOptions.parse(new String[0], 2);
        assertEquals(2, o.threads());
        assertArrayEquals(new int[] {1024, 2048, 4096}, o.seqs());
        assertArrayEquals(new int[] {4096, 32768}, o.caches());
        assertFalse(o.quick());
    }

    @Test
    void readsEveryOption() {
        PeerOptions o = PeerOptions.parse(new String[] {"--threads", "4", "--seq", "512, 1024", "--decode", "8192", "--quick"}, 2);
        assertEquals(4, o.threads());
        assertArrayEquals(new int[] {512, 1024}, o.seqs());
        assertArrayEquals(new int[] {8192}, o.caches());
        assertTrue(o.quick());
    }

    @Test
    void refusesBadCommandLinesWithAReason() {
        String[][] bad = {{"--decode"}, {"--seq", "1024,x"}, {"--seq", "0"}, {"--seq", "1024,"}, {"--threads", "-1"},
                {"--threads", "2,3"}, {"--fast"}};
        for (String[] args : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PeerOptions.parse(args, 2),
                    String.join(" ", args));
            assertTrue(e.getMessage().contains(args[0].startsWith("--fast") ? "unknown option" : args[0]), e.getMessage());
        }
    }
}
