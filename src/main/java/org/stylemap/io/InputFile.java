package org.stylemap.io;

import java.nio.file.Files;
import java.nio.file.Path;

/** A file a command reads: present, a file rather than a folder, and readable; otherwise one line saying which. */
public final class InputFile {
    private InputFile() {}

    /**
     * The path, when it names a readable regular file.
     *
     * @throws IllegalArgumentException "PATH: no such file", "PATH: is a folder, not a file" or "PATH: not readable (permission denied)"
     */
    public static Path require(Path p) {
        if (Files.isDirectory(p)) throw new IllegalArgumentException(p + ": is a folder, not a file");
        if (!Files.exists(p)) throw new IllegalArgumentException(p + ": no such file");
        if (!Files.isReadable(p)) throw new IllegalArgumentException(p + ": not readable (permission denied)");
        return p;
    }
}
