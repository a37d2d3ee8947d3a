package panama.attention.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The .npy reader and writer: round trips, every header version, and clear refusals. */
class NpyTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsEveryKindAndRank() throws Exception {
        long[][] shapes = {{5}, {2, 3}, {1, 2, 3, 4}, {1}};
        try (Arena arena = Arena.ofConfined()) {
            for (Npy.Kind kind : Npy.Kind.values()) {
                for (long[] shape : shapes) {
                    long n = Npy.count(shape);
                    MemorySegment data = arena.allocate(n * kind.itemSize());
                    for (long i = 0; i < n; i++) {
                        switch (kind) {
                            case F32 -> data.setAtIndex(ValueLayout.JAVA_FLOAT, i, i * 0.5f - 1);
                            case F16 -> data.setAtIndex(ValueLayout.JAVA_SHORT, i, Float.floatToFloat16(i * 0.25f));
                            case I32 -> data.setAtIndex(ValueLayout.JAVA_INT, i, (int) (i * 1000 - 7));
                            case I64 -> data.setAtIndex(ValueLayout.JAVA_LONG, i, (i << 40) - 3);
                        }
                    }
                    Path p = dir.resolve(kind + "-" + shape.length + ".npy");
                    Npy.write(p, kind, shape, data);
                    byte[] file = Files.readAllBytes(p);
                    int headerLen = (file[8] & 0xff) | (file[9] & 0xff) << 8;
                    assertEquals(0, (10 + headerLen) % 64, "data starts 64-byte aligned");
                    assertEquals(1, file[6], "version 1.0");
                    assertEquals('\n', file[10 + headerLen - 1]);

                    Npy.Array a = Npy.read(p, arena);
                    assertEquals(kind, a.kind());
                    assertArrayEquals(shape, a.shape());
                    assertEquals(-1, a.data().mismatch(data), "data of " + kind + " " + Npy.shapeString(shape));
                }
            }
        }
    }

    @Test
    void writesPythonShapeSpelling() {
        String h = new String(Npy.header("<f4", new long[] {7}), StandardCharsets.ISO_8859_1);
        assertTrue(h.contains("'shape': (7,)"), h);
        h = new String(Npy.header("<i8", new long[] {2, 3}), StandardCharsets.ISO_8859_1);
        assertTrue(h.contains("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }"), h);
    }

    @Test
    void readsVersion2And3Headers() throws Exception {
        for (int version : new int[] {2, 3}) {
            Path p = file("v" + version + ".npy", version, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }",
                    floats(1, 2, 3));
            try (Arena arena = Arena.ofConfined()) {
                Npy.Array a = Npy.read(p, arena);
                assertArrayEquals(new long[] {3}, a.shape());
                assertEquals(3f, a.data().getAtIndex(ValueLayout.JAVA_FLOAT, 2));
            }
        }
    }

    @Test
    void readsUnalignedDataAndEveryShapeSpelling() throws Exception {
        // numpy before 1.14 padded to 16 bytes, so the data is not 64-byte aligned.
        Path p = file("old.npy", 1, "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", ints(7, -9), 16);
        try (Arena arena = Arena.ofConfined()) {
            Npy.Array a = Npy.read(p, arena);
            assertEquals(Npy.Kind.I32, a.kind());
            assertEquals(-9, a.data().getAtIndex(ValueLayout.JAVA_INT, 1));
            Path matrix = file("matrix.npy", 1, "{'descr': '<i4', 'fortran_order': False, 'shape': (1, 2), }",
                    ints(7, -9));
            assertArrayEquals(new long[] {1, 2}, Npy.read(matrix, arena).shape());
            Path scalar = file("scalar.npy", 1, "{'descr': '<i4', 'fortran_order': False, 'shape': (), }", ints(5));
            assertArrayEquals(new long[0], Npy.read(scalar, arena).shape());
        }
    }

    @Test
    void refusesHeadersNumpyDoesNotWrite() throws Exception {
        // numpy's format.py writes one fixed spelling: sorted keys, ", " and ": ", a trailing comma.
        String[] odd = {
            "{\"descr\":\"<i4\",\"shape\":(2,),\"fortran_order\":False}",
            "{'descr': '<i4', 'shape': (2,), 'fortran_order': False, }",
            "{'descr': '<i4', 'fortran_order': False, 'shape': (2L,), }",
            "{'descr': '<i4', 'fortran_order': False, 'shape': (2), }",
            "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), } trailing",
        };
        for (int i = 0; i < odd.length; i++) {
            expectError(file("odd" + i + ".npy", 1, odd[i], ints(7, -9)), "malformed");
        }
    }

    @Test
    void refusesBadFilesWithClearMessages() throws Exception {
        String ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
        expectError(file("fortran.npy", 1, ok.replace("False", "True"), floats(1, 2)), "fortran_order");
        expectError(file("be.npy", 1, ok.replace("<f4", ">f4"), floats(1, 2)), "big-endian");
        expectError(file("f8.npy", 1, ok.replace("<f4", "<f8"), new byte[16]), "float64");
        expectError(file("short.npy", 1, ok, floats(1)), "truncated");
        expectError(file("long.npy", 1, ok, floats(1, 2, 3)), "unexpected bytes");
        expectError(file("empty.npy", 1, ok.replace("(2,)", "(0, 4)"), new byte[0]), "no elements");
        expectError(file("v9.npy", 9, ok, floats(1, 2)), "version 9.0");
        expectError(file("nodict.npy", 1, "[1, 2]", floats(1, 2)), "not a dict");
        expectError(file("noshape.npy", 1, "{'descr': '<f4', 'fortran_order': False}", floats(1, 2)), "'shape'");
        expectError(file("garbage.npy", 1, "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,)}", floats(1, 2)),
                "malformed");
        expectError(file("struct.npy", 1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}",
                floats(1, 2)), "structured");

        Path magic = dir.resolve("magic.npy");
        Files.write(magic, "not numpy at all".getBytes(StandardCharsets.US_ASCII));
        expectError(magic, "magic");
        Path tiny = dir.resolve("tiny.npy");
        Files.write(tiny, new byte[] {(byte) 0x93, 'N'});
        expectError(tiny, "magic");
        Path cut = dir.resolve("cut.npy");
        byte[] full = Files.readAllBytes(file("full.npy", 1, ok, floats(1, 2)));
        Files.write(cut, java.util.Arrays.copyOf(full, 30));
        expectError(cut, "truncated");

        try (Arena arena = Arena.ofConfined()) {
            assertThrows(NoSuchFileException.class, () -> Npy.read(dir.resolve("missing.npy"), arena));
        }
    }

    private void expectError(Path p, String fragment) {
        try (Arena arena = Arena.ofConfined()) {
            Npy.FormatException e = assertThrows(Npy.FormatException.class, () -> Npy.read(p, arena), p.toString());
            assertTrue(e.getMessage().contains(fragment), e.getMessage() + " should mention " + fragment);
            assertTrue(e.getMessage().startsWith(p.toString()), "names the file: " + e.getMessage());
        }
    }

    static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    static byte[] ints(int... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i : v) {
            b.putInt(i);
        }
        return b.array();
    }

    private Path file(String name, int version, String dict, byte[] data) throws IOException {
        return file(name, version, dict, data, 64);
    }

    /** A hand-made .npy: magic, version, header length, dict padded to {@code align}, data. */
    private Path file(String name, int version, String dict, byte[] data, int align) throws IOException {
        int prefix = version == 1 || version > 3 ? 10 : 12;
        StringBuilder h = new StringBuilder(dict);
        while ((prefix + h.length() + 1) % align != 0) {
            h.append(' ');
        }
        h.append('\n');
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Npy.MAGIC);
        out.write(version);
        out.write(0);
        int len = h.length();
        out.write(len & 0xff);
        out.write(len >> 8 & 0xff);
        if (prefix == 12) {
            out.write(len >> 16 & 0xff);
            out.write(len >> 24 & 0xff);
        }
        out.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(data);
        Path p = dir.resolve(name);
        Files.write(p, out.toByteArray());
        return p;
    }
}
