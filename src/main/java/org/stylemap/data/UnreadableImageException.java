package org.stylemap.data;

import java.io.IOException;
import java.nio.file.Path;

/** A file that could not be decoded as an image (corrupt, truncated, unsupported or not an image at all). */
public final class UnreadableImageException extends IOException {
    private final transient Path file;
    private final String reason;

    public UnreadableImageException(Path file, String reason, Throwable cause) {
        super(file + ": not a readable image (" + reason + ")", cause);
        this.file = file;
        this.reason = reason;
    }

    /** The file that failed. */
    public Path file() { return file; }

    /** Why, without the file name. */
    public String reason() { return reason; }
}
