package panama.attention.internal;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The one search every native library loader runs (ours, OpenBLAS, cuBLAS): places are tried in the
 * order the loader adds them, the first library that opens wins, and when none does the error lists
 * every place tried and why it failed, so a user can see what to fix without reading this code.
 *
 * <p>Opening means {@link SymbolLookup#libraryLookup} (which reports the real {@code dlopen} error),
 * a check for a symbol only the right library has, then {@link System#load}: the jextract-shaped
 * bindings, generated without {@code -l}, find symbols through {@link SymbolLookup#loaderLookup},
 * which sees only what this class loader loaded.
 *
 * <p>A search is built and run once, in a loader's static initialiser; steps after a success are
 * skipped. Never throws: a failure becomes the reason a backend is off.
 */
public final class LibrarySearch {
    /** Opens one candidate file: null when it loaded, else why not. */
    @FunctionalInterface
    public interface Opener {
        String open(Path file);
    }

    /** Where the library came from: the file and a phrase for doctor ("from -Dpanattn.library.path"). */
    public record Found(Path path, String source) {
    }

    private final String what;
    private final List<String> tried = new ArrayList<>();
    private Found found;

    /** @param what how the error names the library, e.g. "libpanattn.so" or "OpenBLAS" */
    public LibrarySearch(String what) {
        this.what = what;
    }

    /** The opener of a plain library: it must export {@code symbol} (null: any file will do). */
    public static Opener requiring(String symbol) {
        return file -> {
            if (!Files.isRegularFile(file)) {
                return "no such file";
            }
            try {
                SymbolLookup lookup = SymbolLookup.libraryLookup(file, Arena.global());
                if (symbol != null && lookup.find(symbol).isEmpty()) {
                    return "symbol " + symbol + " missing (not the expected library, or an old build)";
                }
                System.load(file.toAbsolutePath().toString());
                return null;
            } catch (IllegalArgumentException | UnsatisfiedLinkError | IllegalCallerException e) {
                return e.getMessage();
            }
        };
    }

    /**
     * A path the user gave: system property {@code property}, else environment variable {@code env}.
     * It may name the file, or a folder that holds one of {@code names} (tried in order).
     */
    public LibrarySearch explicit(String property, String env, List<String> names, Opener opener) {
        if (found != null) {
            return this;
        }
        String value = System.getProperty(property);
        String source = "-D" + property;
        if (value == null || value.isBlank()) {
            value = System.getenv(env);
            source = "$" + env;
        }
        if (value == null || value.isBlank()) {
            return this;
        }
        Path p = Path.of(value);
        if (Files.isDirectory(p)) {
            return folders(source, List.of(p), names, opener);
        }
        return attempt(source, p, opener);
    }

    /** Each file that exists, in order; missing ones are listed together. */
    public LibrarySearch files(String source, List<Path> files, Opener opener) {
        if (found == null && files.isEmpty()) {
            tried.add(source + ": no candidate folder found");
        }
        List<String> missing = new ArrayList<>();
        for (Path f : files) {
            if (found != null) {
                return this;
            }
            if (Files.exists(f)) {
                attempt(source, f, opener);
            } else {
                missing.add(f.toString());
            }
        }
        if (found == null && !missing.isEmpty()) {
            tried.add(source + ": none of " + String.join(", ", missing));
        }
        return this;
    }

    /** Each of {@code names} in each folder that exists, folder by folder. */
    public LibrarySearch folders(String source, List<Path> dirs, List<String> names, Opener opener) {
        List<Path> files = new ArrayList<>();
        for (Path d : dirs) {
            for (String n : names) {
                files.add(d.resolve(n));
            }
        }
        return files(source, files, opener);
    }

    /**
     * Class-path resources (a library and the libraries it needs, dependencies first), extracted once
     * by {@link LibraryCache} and opened in order; the last one is the library.
     */
    public LibrarySearch jar(String source, Class<?> owner, String cachePrefix, List<String> resources,
                             List<Opener> openers) {
        if (found != null) {
            return this;
        }
        String main = resources.getLast();
        if (!LibraryCache.hasResource(owner, main)) {
            tried.add(source + " " + main + ": not on the class path (not packaged, or not built)");
            return this;
        }
        try {
            LibraryCache.Extracted x = LibraryCache.extract(owner, cachePrefix, resources);
            for (int i = 0; i < x.files().size(); i++) {
                Path f = x.files().get(i);
                String err = openers.get(i).open(f);
                if (err != null) {
                    tried.add(source + " " + f + ": " + err);
                    return this;
                }
            }
            found = new Found(x.files().getLast(), ("from " + source + " " + x.note()).trim());
        } catch (IOException | RuntimeException e) {
            tried.add(source + ": " + e.getMessage());
        }
        return this;
    }

    /**
     * The system loader: {@code dlopen} by file name (LD_LIBRARY_PATH, the ld.so cache, the default
     * folders), then the path it chose, read from {@code /proc/self/maps}, is opened like any file so
     * that the bindings' loader lookup sees it too.
     */
    public LibrarySearch systemLoader(List<String> names, Opener opener) {
        for (String name : names) {
            if (found != null) {
                return this;
            }
            try {
                SymbolLookup.libraryLookup(name, Arena.global());
            } catch (IllegalArgumentException | IllegalCallerException e) {
                tried.add("system loader " + name + ": " + e.getMessage());
                continue;
            }
            Path mapped = mappedPath(name);
            if (mapped == null) {
                tried.add("system loader " + name + ": opened, but its path is not in /proc/self/maps");
            } else {
                attempt("system loader", mapped, opener);
            }
        }
        return this;
    }

    /** Folders matching {@code glob} in {@code dir}, each joined with {@code child} (null: none), newest name first. */
    public static List<Path> glob(Path dir, String glob, String child) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, glob)) {
            for (Path p : ds) {
                out.add(child == null ? p : p.resolve(child));
            }
        } catch (IOException e) {
            // an unreadable folder holds nothing we can load
        }
        out.sort((a, b) -> b.toString().compareTo(a.toString())); // cuda-12.8 before cuda-12.4, python3.12 before 3.10
        return out;
    }

    /** The library, or null when nothing loaded. */
    public Found found() {
        return found;
    }

    /** Null when loaded, else "{what} could not be loaded; tried A: why; B: why". */
    public String error() {
        if (found != null) {
            return null;
        }
        return what + " could not be loaded; tried " + (tried.isEmpty() ? "nothing" : String.join("; ", tried));
    }

    private LibrarySearch attempt(String source, Path file, Opener opener) {
        String err = opener.open(file);
        if (err == null) {
            found = new Found(file, "from " + source);
        } else {
            tried.add(source + " " + file + ": " + err);
        }
        return this;
    }

    /** The file the dynamic loader mapped for {@code name}, e.g. /usr/lib/x86_64-linux-gnu/libopenblas.so.0. */
    private static Path mappedPath(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                int slash = line.indexOf('/');
                // the loader maps the symlink's target: libcublas.so.13 is libcublas.so.13.1.0.3 there
                if (slash >= 0 && line.substring(line.lastIndexOf('/') + 1).startsWith(name)) {
                    return Path.of(line.substring(slash));
                }
            }
        } catch (IOException e) {
            // no /proc: the caller reports that the path is unknown
        }
        return null;
    }
}
