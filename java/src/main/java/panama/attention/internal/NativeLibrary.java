package panama.attention.internal;

import java.nio.file.Path;
import java.util.List;

/**
 * Finds and loads one of our native libraries through {@link LibrarySearch}, in a documented order:
 * <ol>
 *   <li>an explicit path: system property {@code panattn.library.path} or environment variable
 *       {@code PANATTN_LIBRARY_PATH} (a folder holding the library, or the file itself);</li>
 *   <li>the copy inside the jar, under {@code linux-x86_64/}, extracted by {@link LibraryCache}.</li>
 * </ol>
 * The library must export its ABI symbol. A failure never throws: it becomes the reason the
 * backend is off, listing what was tried.
 */
public final class NativeLibrary {
    /** Where the jar keeps libraries for this platform. */
    public static final String PLATFORM_DIR = "linux-x86_64";

    private final String fileName;
    private final Path path;
    private final String error;
    private final String note;

    private NativeLibrary(String fileName, Path path, String error, String note) {
        this.fileName = fileName;
        this.path = path;
        this.error = error;
        this.note = note;
    }

    /** Loads {@code fileName} (e.g. {@code libpanattn.so}) whose presence is proven by {@code abiSymbol}. */
    public static NativeLibrary load(String fileName, String abiSymbol) {
        if (!"Linux".equals(System.getProperty("os.name")) || !isX86_64()) {
            return new NativeLibrary(fileName, null, "no native build for " + System.getProperty("os.name") + "/"
                    + System.getProperty("os.arch") + " (only linux-x86_64 is shipped)", "");
        }
        LibrarySearch.Opener opener = LibrarySearch.requiring(abiSymbol);
        LibrarySearch search = new LibrarySearch(fileName)
                .explicit("panattn.library.path", "PANATTN_LIBRARY_PATH", List.of(fileName), opener)
                .jar("the jar", NativeLibrary.class, fileName.replace(".so", ""), List.of(PLATFORM_DIR + "/" + fileName),
                        List.of(opener));
        LibrarySearch.Found f = search.found();
        return f == null ? new NativeLibrary(fileName, null, search.error(), "")
                : new NativeLibrary(fileName, f.path(), null, f.source());
    }

    private static boolean isX86_64() {
        String arch = System.getProperty("os.arch");
        return "amd64".equals(arch) || "x86_64".equals(arch);
    }

    public boolean loaded() {
        return error == null;
    }

    public Path path() {
        return path;
    }

    /** Why it is not loaded, or null. */
    public String error() {
        return error;
    }

    /** Where it came from, when loaded. */
    public String note() {
        return note;
    }

    @Override
    public String toString() {
        return loaded() ? fileName + " at " + path + " (" + note + ")" : error;
    }
}
