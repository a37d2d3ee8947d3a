package panama.attention.cli;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0), read into off-heap memory and
 * written as version 1.0. Only the little-endian, C-order types the command line needs are
 * accepted; anything else is refused with a message that says how to convert it.
 *
 * <p>Layout (numpy/lib/format.py): the magic {@code \x93NUMPY}, a major and minor version byte,
 * the header length (uint16 little-endian in 1.0, uint32 in 2.0 and 3.0), then the dict
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }} in numpy's fixed spelling,
 * padded with spaces and a final newline so the data starts on a 64-byte boundary, then the raw
 * elements.
 */
public final class Npy {
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** numpy aligns the data to 64 bytes since 1.14 (ARRAY_ALIGN), so memory maps are SIMD-aligned. */
    static final int ALIGN = 64;

    /** The element types we read and write, by their little-endian {@code descr}. */
    public enum Kind {
        F32("<f4", 4),
        F16("<f2", 2),
        I32("<i4", 4),
        I64("<i8", 8);

        final String descr;
        final int itemSize;

        Kind(String descr, int itemSize) {
            this.descr = descr;
            this.itemSize = itemSize;
        }

        public String descr() {
            return descr;
        }

        public int itemSize() {
            return itemSize;
        }
    }

    /**
     * An array read from or to be written to a file.
     *
     * @param data exactly {@code elementCount · itemSize} bytes, C order, little-endian
     */
    public record Array(Kind kind, long[] shape, MemorySegment data) {
        public long elementCount() {
            return count(shape);
        }

        public int rank() {
            return shape.length;
        }

        @Override
        public String toString() {
            return kind.descr + " " + shapeString(shape);
        }
    }

    /** A file that is not a usable .npy array; the message names the file and what is wrong. */
    public static final class FormatException extends Exception {
        private static final long serialVersionUID = 1L;

        public FormatException(String message) {
            super(message);
        }
    }

    /** What a header says, before the data is checked. */
    record Header(int major, int minor, long dataOffset, String descr, boolean fortranOrder, long[] shape) {
    }

    private Npy() {
    }

    /**
     * Reads {@code path}: the data is memory-mapped read-only in {@code arena} (copied into an
     * aligned allocation when the file's data offset is not 64-byte aligned, as in files written
     * by numpy older than 1.14). Empty arrays are refused: nothing downstream has a use for them.
     */
    public static Array read(Path path, Arena arena) throws IOException, FormatException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "no such file");
        }
        if (Files.isDirectory(path)) {
            throw new FormatException(path + ": is a directory, not a .npy file");
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            Header h = parseHeader(path.toString(), ch, size);
            Kind kind = kindOf(path.toString(), h.descr());
            if (h.fortranOrder()) {
                throw new FormatException(path + ": fortran_order is True; only C-order arrays are supported"
                        + " (save np.ascontiguousarray(a))");
            }
            long n = count(h.shape());
            if (n == 0) {
                throw new FormatException(path + ": shape " + shapeString(h.shape()) + " has no elements");
            }
            long want;
            try {
                want = Math.multiplyExact(n, (long) kind.itemSize);
            } catch (ArithmeticException e) {
                throw new FormatException(path + ": shape " + shapeString(h.shape()) + " overflows a 64-bit size");
            }
            long have = size - h.dataOffset();
            if (have < want) {
                throw new FormatException(path + ": truncated: shape " + shapeString(h.shape()) + " of " + kind.descr
                        + " needs " + want + " data bytes but the file has " + have);
            }
            if (have > want) {
                throw new FormatException(path + ": " + (have - want) + " unexpected bytes after the data of shape "
                        + shapeString(h.shape()) + " " + kind.descr + " (" + want + " bytes expected)");
            }
            MemorySegment data;
            if (h.dataOffset() % ALIGN == 0) {
                data = ch.map(FileChannel.MapMode.READ_ONLY, h.dataOffset(), want, arena);
            } else {
                data = arena.allocate(want, ALIGN);
                long pos = h.dataOffset();
                while (pos - h.dataOffset() < want) {
                    long done = pos - h.dataOffset();
                    ByteBuffer bb = data.asSlice(done, Math.min(want - done, 1 << 30)).asByteBuffer();
                    while (bb.hasRemaining()) {
                        int r = ch.read(bb, pos);
                        if (r < 0) {
                            throw new FormatException(path + ": file shrank while reading");
                        }
                        pos += r;
                    }
                }
            }
            return new Array(kind, h.shape(), data);
        }
    }

    /** Reads and validates the header; the channel's size is {@code size}. */
    static Header parseHeader(String name, FileChannel ch, long size) throws IOException, FormatException {
        ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        while (pre.hasRemaining()) {
            if (ch.read(pre, pre.position()) < 0) {
                break;
            }
        }
        pre.flip();
        if (pre.remaining() < 8 || !startsWithMagic(pre)) {
            throw new FormatException(name + ": not a .npy file (missing the \\x93NUMPY magic)");
        }
        int major = pre.get(6) & 0xff;
        int minor = pre.get(7) & 0xff;
        long headerLen;
        int prefix;
        if (major == 1) {
            if (pre.remaining() < 10) {
                throw new FormatException(name + ": truncated .npy header");
            }
            headerLen = pre.getShort(8) & 0xffff;
            prefix = 10;
        } else if (major == 2 || major == 3) {
            if (pre.remaining() < 12) {
                throw new FormatException(name + ": truncated .npy header");
            }
            headerLen = pre.getInt(8) & 0xffffffffL;
            prefix = 12;
        } else {
            throw new FormatException(name + ": unsupported .npy format version " + major + "." + minor
                    + " (1.0, 2.0 and 3.0 are supported)");
        }
        if (minor != 0) {
            throw new FormatException(name + ": unsupported .npy format version " + major + "." + minor);
        }
        if (prefix + headerLen > size) {
            throw new FormatException(name + ": truncated .npy header (says " + headerLen + " bytes, file has "
                    + (size - prefix) + ")");
        }
        if (headerLen > 1 << 20) {
            throw new FormatException(name + ": .npy header of " + headerLen + " bytes is implausibly large");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
        while (hb.hasRemaining()) {
            if (ch.read(hb, prefix + hb.position()) < 0) {
                throw new FormatException(name + ": truncated .npy header");
            }
        }
        // Versions 1.0 and 2.0 are latin-1, 3.0 is utf-8; only ASCII matters for the keys we read.
        String text = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        return parseDict(name, text, major, minor, prefix + headerLen);
    }

    /**
     * Reads the dict numpy writes: exactly {@code {'descr': '<f4', 'fortran_order': False,
     * 'shape': (2, 3), }} (keys sorted, one space after each colon and comma, a trailing comma;
     * numpy's format.py has always written it so), then spaces and a newline. Anything else is
     * refused with what was expected where: such a file was not written by numpy's save.
     */
    static Header parseDict(String name, String text, int major, int minor, long dataOffset) throws FormatException {
        HeaderText h = new HeaderText(name, text);
        if (!text.startsWith("{")) {
            throw new FormatException(name + ": malformed .npy header (not a dict): " + text.strip());
        }
        h.expect("{'descr': ");
        if (h.peek() == '[' || h.peek() == '(') {
            throw new FormatException(name + ": structured dtype " + h.rest() + " is not supported");
        }
        h.expect("'");
        String descr = h.until('\'');
        h.expect("', 'fortran_order': ");
        boolean fortran;
        if (h.accept("True")) {
            fortran = true;
        } else {
            h.expect("False");
            fortran = false;
        }
        h.expect(", 'shape': (");
        long[] shape = h.shape();
        h.expect("), }");
        h.expectPaddingAndNewline();
        return new Header(major, minor, dataOffset, descr, fortran, shape);
    }

    /** A cursor over the header text; every mismatch is a FormatException naming the file and the spot. */
    private static final class HeaderText {
        private static final String EXAMPLE = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        private final String name;
        private final String text;
        private int i;

        HeaderText(String name, String text) {
            this.name = name;
            this.text = text;
        }

        char peek() {
            return i < text.length() ? text.charAt(i) : '\0';
        }

        String rest() {
            return text.substring(i).strip();
        }

        boolean accept(String s) {
            if (text.startsWith(s, i)) {
                i += s.length();
                return true;
            }
            return false;
        }

        void expect(String s) throws FormatException {
            if (!accept(s)) {
                throw malformed("expected \"" + s + "\" at character " + i);
            }
        }

        String until(char end) throws FormatException {
            int j = text.indexOf(end, i);
            if (j < 0) {
                throw malformed("unterminated string at character " + i);
            }
            String s = text.substring(i, j);
            i = j;
            return s;
        }

        /** {@code } (a scalar), {@code 5,} or {@code 2, 3}: sizes as numpy's repr of a tuple writes them. */
        long[] shape() throws FormatException {
            List<Long> dims = new ArrayList<>();
            while (peek() != ')') {
                int start = i;
                while (Character.isDigit(peek())) {
                    i++;
                }
                if (start == i) {
                    throw malformed("expected a size in the shape at character " + i);
                }
                try {
                    dims.add(Long.parseLong(text.substring(start, i)));
                } catch (NumberFormatException e) {
                    throw malformed("size " + text.substring(start, i) + " in the shape is too large");
                }
                if (accept(",")) {
                    if (peek() != ')') {
                        expect(" ");
                    }
                } else if (dims.size() == 1 || peek() != ')') {
                    throw malformed("expected \",\" after size " + dims.getLast() + " at character " + i);
                }
            }
            long[] shape = new long[dims.size()];
            for (int k = 0; k < shape.length; k++) {
                shape[k] = dims.get(k);
            }
            return shape;
        }

        void expectPaddingAndNewline() throws FormatException {
            while (peek() == ' ') {
                i++;
            }
            if (!text.startsWith("\n", i) || i + 1 != text.length()) {
                throw malformed("expected spaces and one newline after the dict at character " + i);
            }
        }

        private FormatException malformed(String what) {
            return new FormatException(name + ": malformed .npy header (" + what + "; numpy writes " + EXAMPLE
                    + "): " + text.strip());
        }
    }

    private static boolean startsWithMagic(ByteBuffer b) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (b.get(i) != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    static Kind kindOf(String name, String descr) throws FormatException {
        for (Kind k : Kind.values()) {
            if (k.descr.equals(descr)) {
                return k;
            }
        }
        if (descr.length() >= 2 && descr.charAt(0) == '>') {
            throw new FormatException(name + ": big-endian dtype '" + descr + "' is not supported"
                    + " (save a.astype('<" + descr.substring(1) + "'))");
        }
        String hint = switch (descr.length() >= 2 ? descr.substring(1) : descr) {
            case "f8" -> " (float64: save a.astype(np.float32))";
            case "f2", "f4", "i4", "i8" -> " (byte order must be '<')";
            default -> "";
        };
        throw new FormatException(name + ": dtype '" + descr + "' is not supported" + hint
                + "; expected one of '<f4', '<f2', '<i4', '<i8'");
    }

    /**
     * Writes {@code data} (C order, little-endian) as a version 1.0 file whose header is padded so
     * the data starts at a multiple of 64 bytes. Writes a temporary file next to {@code path} and
     * moves it into place, so a failure never leaves a half-written file and an input that is
     * still memory-mapped is never truncated under its reader.
     */
    public static void write(Path path, Kind kind, long[] shape, MemorySegment data) throws IOException {
        long n = count(shape);
        long bytes = n * kind.itemSize;
        if (data.byteSize() != bytes) {
            throw new IllegalArgumentException("data has " + data.byteSize() + " bytes, shape " + shapeString(shape)
                    + " of " + kind.descr + " needs " + bytes);
        }
        byte[] header = header(kind.descr, shape);
        Path abs = path.toAbsolutePath();
        Path dir = abs.getParent();
        // Not Files.createTempFile: that makes the file 0600, and the output should get the umask's mode.
        Path tmp = dir.resolve("." + abs.getFileName() + "." + ProcessHandle.current().pid() + "."
                + Long.toHexString(System.nanoTime()) + ".tmp");
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
                writeFully(ch, ByteBuffer.wrap(header));
                for (long off = 0; off < bytes; off += 1 << 30) {
                    writeFully(ch, data.asSlice(off, Math.min(bytes - off, 1 << 30)).asByteBuffer());
                }
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Magic, version, length and padded dict: version 1.0 unless the dict needs more than 65535 bytes. */
    static byte[] header(String descr, long[] shape) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shapeString(shape) + ", }";
        int prefix = 10;
        int total = roundUp(prefix + dict.length() + 1, ALIGN);
        int major = 1;
        if (total - prefix > 0xffff) {
            prefix = 12;
            total = roundUp(prefix + dict.length() + 1, ALIGN);
            major = 2;
        }
        int headerLen = total - prefix;
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) {
            b.putShort((short) headerLen);
        } else {
            b.putInt(headerLen);
        }
        b.put(dict.getBytes(StandardCharsets.ISO_8859_1));
        while (b.position() < total - 1) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        return b.array();
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static int roundUp(int x, int a) {
        return (x + a - 1) / a * a;
    }

    /** Python's spelling of a shape tuple: {@code ()}, {@code (5,)}, {@code (2, 3)}. */
    public static String shapeString(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringJoiner j = new StringJoiner(", ", "(", ")");
        for (long d : shape) {
            j.add(Long.toString(d));
        }
        return j.toString();
    }

    static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
