package org.stylemap.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.function.Predicate;

/**
 * The checks a command makes on the file it will write before it starts the work, so that a bad
 * output name costs one line instead of the work and a stack trace: the file is not one of the
 * command's inputs; an existing file there is of the command's own kind (a sample grid may
 * replace an older sample grid, never a checkpoint or a photo) unless the user asked to
 * overwrite; and its folder accepts a new file under that name (which catches read-only mounts,
 * /proc, missing permissions and names that are too long, for root too).
 */
public final class OutputFile {
    /** What a command writes: a name for messages, and a test telling whether an existing file is of that kind. */
    public record Kind(String name, Predicate<Path> matches) {
        public static final Kind PNG = new Kind("PNG image", OutputFile::isPng);

        /** One of this program's HDF5 files, recognised by its root attribute format (see H5 writers). */
        public static Kind hdf5(String name, String format) {
            return new Kind(name, p -> {
                try (io.jhdf.HdfFile f = new io.jhdf.HdfFile(p)) {
                    return format.equals(H5.attribute(f, "format"));
                } catch (RuntimeException e) {
                    return false;
                }
            });
        }
    }

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private OutputFile() {}

    /**
     * Checks out before the work; creates its folder when missing.
     *
     * @param out       the file to be written (through {@link AtomicFile}, as "NAME.tmp" renamed to NAME)
     * @param kind      what the command writes
     * @param overwrite the user asked to replace an existing file of another kind
     * @param inputs    the files the command reads; out may never be one of them
     * @return out
     * @throws IllegalArgumentException one line naming out and the reason
     */
    public static Path check(Path out, Kind kind, boolean overwrite, Collection<Path> inputs) {
        for (Path in : inputs)
            if (same(out, in)) throw new IllegalArgumentException(out + " is one of this command's inputs; refusing to overwrite it (choose another output name)");
        if (Files.isDirectory(out)) throw new IllegalArgumentException(out + " is a folder; give the name of the " + kind.name() + " to write");
        if (Files.exists(out) && !overwrite && !kind.matches().test(out))
            throw new IllegalArgumentException(out + " exists and is not a " + kind.name() + "; refusing to overwrite it (pass --overwrite to replace it)");
        probe(out);
        return out;
    }

    /**
     * Checks a folder that a command will fill with its own files (e.g. single images) before the
     * work: not one of the inputs, not an existing file, and able to take new files.
     *
     * @return dir
     * @throws IllegalArgumentException one line naming dir and the reason
     */
    public static Path checkFolder(Path dir, Collection<Path> inputs) {
        for (Path in : inputs)
            if (same(dir, in)) throw new IllegalArgumentException(dir + " is one of this command's inputs; refusing to overwrite it (choose another output name)");
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new IllegalArgumentException(dir + " exists and is not a folder");
        probe(dir.resolve("probe"));
        return dir;
    }

    /**
     * Whether a new file can be created under out's name: creates out's folder if needed, then
     * creates and deletes the temporary file the atomic writer will use.
     *
     * @throws IllegalArgumentException "cannot write OUT: REASON"
     */
    public static void probe(Path out) {
        Path tmp = AtomicFile.temporary(out);
        try {
            Path dir = out.toAbsolutePath().getParent();
            if (dir != null) Files.createDirectories(dir);
            Files.createFile(tmp);
            Files.delete(tmp);
        } catch (FileAlreadyExistsException e) {
            // A leftover temporary file from an interrupted write: the writer replaces it.
            if (!Files.isWritable(tmp)) throw new IllegalArgumentException("cannot write " + out + ": " + tmp + " exists and is not writable");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + out + ": " + reason(e));
        }
    }

    /** The operating system's reason ("Read-only file system", "File name too long") rather than Java's wording. */
    static String reason(IOException e) {
        if (e instanceof FileSystemException f) {
            // ENOENT when creating a file (the JDK then gives no reason): in a folder that exists, the kernel offers
            // no new files there (e.g. /proc); otherwise a folder on the way is missing.
            if (e instanceof NoSuchFileException || "No such file or directory".equals(f.getReason())) {
                Path parent = f.getFile() == null ? null : Path.of(f.getFile()).toAbsolutePath().getParent();
                return parent != null && Files.isDirectory(parent) ? "the folder " + parent + " does not accept new files" : "no such folder";
            }
            if (e instanceof AccessDeniedException || "Permission denied".equals(f.getReason())) return "permission denied";
            if (f.getReason() != null) return f.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    private static boolean same(Path a, Path b) {
        try {
            if (Files.exists(a) && Files.exists(b)) return Files.isSameFile(a, b);
        } catch (IOException e) {
            // Fall back to comparing names.
        }
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }

    static boolean isPng(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            return Arrays.equals(in.readNBytes(PNG_SIGNATURE.length), PNG_SIGNATURE);
        } catch (IOException e) {
            return false;
        }
    }
}
