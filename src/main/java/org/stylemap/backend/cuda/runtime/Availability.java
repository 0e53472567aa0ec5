package org.stylemap.backend.cuda.runtime;

/** Whether a runtime can be opened here, and the one line that says so or says why not. */
public record Availability(boolean available, String line) {
    static Availability yes(String description) {
        return new Availability(true, "available: " + description);
    }

    static Availability no(String reason) {
        return new Availability(false, "unavailable: " + reason);
    }
}
