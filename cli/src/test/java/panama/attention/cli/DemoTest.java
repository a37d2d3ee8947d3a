package panama.attention.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoTest {
    record Run(int code, String out, String err) {
    }

    static Run demo(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int code = Demo.run(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    @Test
    void writesHeatmapsAndEmbedding(@TempDir Path dir) throws Exception {
        Run r = demo("--out-dir", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("layer 3  head "), r.out());
        assertTrue(r.out().contains("which -> cat"), r.out());
        assertTrue(r.out().contains(dir.toAbsolutePath().toString()), "says where the files are");
        for (int l = 0; l < 6; l++) {
            BufferedImage img = ImageIO.read(dir.resolve("layer" + l + ".png").toFile());
            assertNotNull(img, "layer" + l + ".png is a PNG");
            assertTrue(img.getWidth() > 600 && img.getHeight() > 400);
        }
        byte[] npy = Files.readAllBytes(dir.resolve("embedding.npy"));
        assertEquals((byte) 0x93, npy[0]);
        assertEquals("NUMPY", new String(npy, 1, 5, StandardCharsets.US_ASCII));
        assertEquals(1, npy[6]);
        assertEquals(0, npy[7]);
        int headerLen = (npy[8] & 0xff) | (npy[9] & 0xff) << 8;
        assertEquals(0, (10 + headerLen) % 64, "data aligned to 64 bytes");
        String header = new String(npy, 10, headerLen, StandardCharsets.US_ASCII);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (384,), }"), header);
        assertTrue(header.endsWith("\n"));
        assertEquals(10 + headerLen + 384 * 4, npy.length);
        ByteBuffer b = ByteBuffer.wrap(npy, 10 + headerLen, 384 * 4).order(ByteOrder.LITTLE_ENDIAN);
        double norm = 0;
        for (int i = 0; i < 384; i++) {
            float v = b.getFloat();
            norm += v * v;
        }
        assertEquals(1.0, Math.sqrt(norm), 1e-5, "L2-normalised");
    }

    @Test
    void badCommandLinesAreOneErrorLine() {
        Run bad = demo("--backend", "NOPE");
        assertEquals(2, bad.code());
        assertTrue(bad.err().startsWith("error: ") && bad.err().strip().lines().count() == 1, bad.err());
        Run unknown = demo("--colour", "red");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().startsWith("error: demo: unknown option --colour"), unknown.err());
        Run missing = demo("--text");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("--text needs a value"), missing.err());
    }

    @Test
    void unwritableOutDirIsAnError(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("a-file");
        Files.writeString(file, "x");
        Run r = demo("--out-dir", file.resolve("sub").toString(), "--text", "Hi.");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: ") && r.err().strip().lines().count() == 1, r.err());
    }
}
