package panama.attention.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds and loads one of our native libraries, in a documented order:
 * <ol>
 *   <li>an explicit path: system property {@code panattn.library.path} or environment variable
 *       {@code PANATTN_LIBRARY_PATH} (a folder holding the library, or the file itself);</li>
 *   <li>the copy inside the jar, under {@code linux-x86_64/}, extracted by {@link LibraryCache}.</li>
 * </ol>
 * The library is opened with {@link SymbolLookup#libraryLookup} (which reports the real
 * {@code dlopen} error) and checked for its ABI symbol, then registered with {@link System#load}
 * so that the jextract-shaped bindings, generated without {@code -l}, find it through
 * {@link SymbolLookup#loaderLookup}. A failure never throws: it becomes the reason the backend is
 * off, listing what was tried.
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
        List<String> tried = new ArrayList<>();
        if (!"Linux".equals(System.getProperty("os.name")) || !isX86_64()) {
            return new NativeLibrary(fileName, null, "no native build for " + System.getProperty("os.name") + "/"
                    + System.getProperty("os.arch") + " (only linux-x86_64 is shipped)", "");
        }
        String explicit = System.getProperty("panattn.library.path");
        String source = "-Dpanattn.library.path";
        if (explicit == null || explicit.isBlank()) {
            explicit = System.getenv("PANATTN_LIBRARY_PATH");
            source = "$PANATTN_LIBRARY_PATH";
        }
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit);
            if (Files.isDirectory(p)) {
                p = p.resolve(fileName);
            }
            if (p.getFileName() != null && p.getFileName().toString().equals(fileName)) {
                String err = open(p, abiSymbol);
                if (err == null) {
                    return new NativeLibrary(fileName, p, null, "from " + source);
                }
                tried.add(source + " " + p + ": " + err);
            }
        }
        String resource = PLATFORM_DIR + "/" + fileName;
        if (!LibraryCache.hasResource(NativeLibrary.class, resource)) {
            tried.add("jar resource " + resource + ": not packaged (was it built?)");
        } else {
            try {
                LibraryCache.Extracted x = LibraryCache.extract(NativeLibrary.class, fileName.replace(".so", ""), List.of(resource));
                Path p = x.files().get(0);
                String err = open(p, abiSymbol);
                if (err == null) {
                    return new NativeLibrary(fileName, p, null, ("from the jar " + x.note()).trim());
                }
                tried.add("jar copy " + p + ": " + err);
            } catch (Exception e) {
                tried.add("jar copy: " + e.getMessage());
            }
        }
        return new NativeLibrary(fileName, null, fileName + " could not be loaded; tried " + String.join("; ", tried), "");
    }

    /** Opens the file; null on success, else the reason. */
    static String open(Path p, String abiSymbol) {
        if (!Files.isRegularFile(p)) {
            return "no such file";
        }
        try {
            SymbolLookup lookup = SymbolLookup.libraryLookup(p, Arena.global());
            if (abiSymbol != null && lookup.find(abiSymbol).isEmpty()) {
                return "symbol " + abiSymbol + " missing (not our library, or an old build)";
            }
            System.load(p.toAbsolutePath().toString());
            return null;
        } catch (IllegalArgumentException | UnsatisfiedLinkError | IllegalCallerException e) {
            return e.getMessage();
        }
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
