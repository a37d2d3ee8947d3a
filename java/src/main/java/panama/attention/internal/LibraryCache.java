package panama.attention.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Extracts native libraries shipped as class-path resources into a per-user cache folder, once.
 *
 * <p>Where: {@code -Dpanattn.cache.dir}, else {@code $PANATTN_CACHE_DIR}, else
 * {@code $XDG_CACHE_HOME/panama-attention}, else {@code ~/.cache/panama-attention}. A folder that
 * is not owned by this user or is writable by others is refused (someone could plant a library
 * there) and a private temporary folder is used instead. Each set of libraries goes in a
 * sub-folder named after the SHA-256 of its contents; an existing file whose checksum differs
 * (truncated, corrupted, replaced) is extracted again. Files are written to a temporary name and
 * renamed atomically, so JVMs starting at once never see a half-written library.
 */
public final class LibraryCache {
    private static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");

    private LibraryCache() {
    }

    /** A library extracted (or found intact) on disk. */
    public record Extracted(Path dir, List<Path> files, String note) {
    }

    /**
     * Extracts the resources (loaded through {@code owner}'s class loader) into one cache
     * sub-folder named {@code prefix-<sha256 of all of them>}. Each name is the resource's path.
     *
     * @throws IOException when a resource is missing or nothing can be written
     */
    public static Extracted extract(Class<?> owner, String prefix, List<String> resources) throws IOException {
        StringBuilder note = new StringBuilder();
        return extract(owner, cacheRoot(note), prefix, resources, note);
    }

    /** As {@link #extract(Class, String, List)}, into the given cache root. */
    public static Extracted extract(Class<?> owner, Path root, String prefix, List<String> resources) throws IOException {
        return extract(owner, root, prefix, resources, new StringBuilder());
    }

    private static Extracted extract(Class<?> owner, Path root, String prefix, List<String> resources,
                                     StringBuilder note) throws IOException {
        List<byte[]> contents = new ArrayList<>();
        MessageDigest all = sha256();
        for (String r : resources) {
            byte[] bytes = read(owner, r);
            contents.add(bytes);
            all.update(r.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            all.update(bytes);
        }
        String tag = prefix + "-" + HexFormat.of().formatHex(all.digest(), 0, 8);
        Path dir = root.resolve(tag);
        try {
            createPrivateDir(dir);
            requireSafeDir(dir);
        } catch (IOException | SecurityException e) {
            note.append("cache folder ").append(dir).append(" refused (").append(e.getMessage())
                    .append("); using a private temporary folder. ");
            dir = Files.createTempDirectory("panattn-", PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
            dir.toFile().deleteOnExit();
        }
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < resources.size(); i++) {
            String r = resources.get(i);
            Path target = dir.resolve(r.substring(r.lastIndexOf('/') + 1));
            byte[] bytes = contents.get(i);
            if (!intact(target, bytes)) {
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    note.append("replaced damaged ").append(target.getFileName()).append(". ");
                }
                writeAtomically(dir, target, bytes);
            }
            files.add(target);
        }
        return new Extracted(dir, files, note.toString().trim());
    }

    /** The cache root: property, environment, XDG, home, in that order. */
    static Path cacheRoot(StringBuilder note) {
        String p = System.getProperty("panattn.cache.dir");
        if (p == null || p.isBlank()) {
            p = System.getenv("PANATTN_CACHE_DIR");
        }
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "panama-attention");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "panama-attention");
    }

    private static void createPrivateDir(Path dir) throws IOException {
        if (Files.isSymbolicLink(dir)) {
            throw new IOException("it is a symbolic link");
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            Path parent = dir.getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
            }
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
            } catch (FileAlreadyExistsException raced) {
                // another JVM created it first; checked below like any existing folder
            }
        }
    }

    /** Owned by us and writable by no one else, for the folder and its parent. */
    static void requireSafeDir(Path dir) throws IOException {
        String me = System.getProperty("user.name");
        for (Path p : new Path[] {dir, dir.getParent()}) {
            if (p == null) {
                continue;
            }
            PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
            if (view == null) {
                throw new IOException("cannot read the permissions of " + p);
            }
            PosixFileAttributes a = view.readAttributes();
            if (!a.owner().getName().equals(me)) {
                throw new IOException(p + " is owned by " + a.owner().getName() + ", not " + me);
            }
            Set<PosixFilePermission> perms = a.permissions();
            if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new IOException(p + " is writable by others (" + PosixFilePermissions.toString(perms) + ")");
            }
        }
    }

    private static boolean intact(Path file, byte[] expected) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) != expected.length) {
            return false;
        }
        return MessageDigest.isEqual(sha256().digest(Files.readAllBytes(file)), sha256().digest(expected));
    }

    private static void writeAtomically(Path dir, Path target, byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile(dir, target.getFileName().toString(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                out.write(bytes);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static byte[] read(Class<?> owner, String resource) throws IOException {
        ClassLoader cl = owner.getClassLoader();
        try (InputStream in = cl == null ? ClassLoader.getSystemResourceAsStream(resource) : cl.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("resource " + resource + " is not on the class path");
            }
            return in.readAllBytes();
        }
    }

    /** True when the class path has this resource. */
    public static boolean hasResource(Class<?> owner, String resource) {
        ClassLoader cl = owner.getClassLoader();
        return (cl == null ? ClassLoader.getSystemResource(resource) : cl.getResource(resource)) != null;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
