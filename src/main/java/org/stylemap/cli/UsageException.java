package org.stylemap.cli;

/** A malformed command line: reported in one line with exit code 2. */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
