package org.stylemap.io;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Files that are never seen half-written: written to "NAME.tmp" beside the target, then renamed
 * over it. When the write fails the temporary file is deleted (a full disk must not stay full of
 * a partial copy) and the previous file under the name is untouched.
 */
public final class AtomicFile {
    /** Writes the whole content to the given (temporary) path. */
    @FunctionalInterface
    public interface Writer {
        void write(Path tmp) throws IOException;
    }

    private AtomicFile() {}

    /** The temporary file a write of target goes through. */
    public static Path temporary(Path target) {
        return target.resolveSibling(target.getFileName() + ".tmp");
    }

    public static void write(Path target, Writer writer) {
        write(target, 0, writer);
    }

    /**
     * Writes target through its temporary file.
     *
     * @param expectedBytes about how large the file will be (0: unknown), named when the device is full
     * @throws IllegalStateException one line: "no space left on device: TARGET (needed about N MB)" or
     *                               "cannot write TARGET: REASON"
     */
    public static void write(Path target, long expectedBytes, Writer writer) {
        Path tmp = temporary(target);
        try {
            Path dir = target.toAbsolutePath().getParent();
            if (dir != null) Files.createDirectories(dir);
            writer.write(tmp);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            IOException io = ioCause(e);
            long written = sizeOrZero(tmp);
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // The failure below is the news; a temporary file that cannot be deleted is named in it.
            }
            if (io != null && isNoSpace(io)) {
                String need = expectedBytes > 0 ? "needed about " + megabytes(expectedBytes)
                        : megabytes(written) + " written when the device filled";
                throw new IllegalStateException("no space left on device: " + target + " (" + need + (Files.exists(tmp) ? "; delete " + tmp : "") + ")", e);
            }
            if (io == null && e instanceof RuntimeException r) throw r;
            throw new IllegalStateException("cannot write " + target + ": " + OutputFile.reason(io), e);
        }
    }

    /** The innermost I/O exception: ImageIO and jhdf wrap the system's reason ("No space left on device") in their own. */
    private static IOException ioCause(Throwable e) {
        IOException innermost = null;
        for (Throwable t = e; t != null; t = t.getCause()) if (t instanceof IOException io) innermost = io;
        return innermost;
    }

    /** ENOSPC and EDQUOT, as the JDK words them on Linux. */
    private static boolean isNoSpace(IOException e) {
        String m = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : String.valueOf(e.getMessage());
        return m.contains("No space left on device") || m.contains("Disk quota exceeded");
    }

    private static long sizeOrZero(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    /** "5.5 MB", or "48 KB" below a tenth of a megabyte. */
    public static String megabytes(long bytes) {
        return bytes < 100_000 ? String.format(Locale.ROOT, "%d KB", Math.round(bytes / 1e3)) : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
