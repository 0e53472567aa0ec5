package org.stylemap.io;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7, item 9: a write that fails (a full disk here: the temporary file is a link to /dev/full,
 * where every write fails with ENOSPC, so no mount and no root tricks are needed) says so in one line
 * with the file and the size, leaves no partial file and keeps the previous file.
 */
class WriteFailureTest {
    @TempDir Path dir;

    static void fillsUp(Path target) throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/full")), "needs /dev/full (Linux)");
        Files.createSymbolicLink(AtomicFile.temporary(target), Path.of("/dev/full"));
    }

    @Test
    void aFullDiskIsNamedAndLeavesThePreviousFile() throws Exception {
        Path target = dir.resolve("file.bin");
        Files.writeString(target, "previous");
        fillsUp(target);
        var e = assertThrows(IllegalStateException.class, () -> AtomicFile.write(target, 5_000_000, tmp -> Files.write(tmp, new byte[1 << 20])));
        assertEquals("no space left on device: " + target + " (needed about 5.0 MB)", e.getMessage());
        assertFalse(Files.exists(AtomicFile.temporary(target), java.nio.file.LinkOption.NOFOLLOW_LINKS), "temporary file removed");
        assertEquals("previous", Files.readString(target));
    }

    @Test
    void aFullDiskDuringAnHdf5WriteIsNamedToo() throws Exception {
        Path target = dir.resolve("t.h5");
        fillsUp(target);
        var e = assertThrows(IllegalStateException.class,
                () -> H5.writeAtomically(target, 123_000_000, f -> f.putDataset("x", new float[1 << 18])));
        assertEquals("no space left on device: " + target + " (needed about 123.0 MB)", e.getMessage());
        assertFalse(Files.exists(AtomicFile.temporary(target), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(target));
    }

    @Test
    void aFullDiskDuringAPngWriteIsNamedToo() throws Exception {
        Path target = dir.resolve("grid.png");
        fillsUp(target);
        var img = new org.stylemap.data.RgbImage(300, 300, new float[3 * 300 * 300]);
        var e = assertThrows(IllegalStateException.class, () -> AtomicFile.write(target, tmp -> org.stylemap.data.ImageFiles.writePng(img, tmp)));
        assertTrue(e.getMessage().startsWith("no space left on device: " + target + " ("), e.getMessage());
    }

    @Test
    void otherFailuresGiveTheSystemsReason() {
        var e = assertThrows(IllegalStateException.class, () -> AtomicFile.write(Path.of("/proc/stylemap-test.bin"), tmp -> Files.writeString(tmp, "x")));
        assertTrue(e.getMessage().startsWith("cannot write /proc/stylemap-test.bin: "), e.getMessage());
    }

    @Test
    void rangesWordTheirBounds() {
        assertEquals("an integer >= 1", Range.atLeast(1).describe());
        assertEquals("a finite number in [0, 1]", Range.closed(0, 1).describe());
        assertEquals("a finite number in [0, 1)", Range.closedOpen(0, 1).describe());
        assertEquals("a finite number > 0", Range.positive().describe());
        assertEquals("a finite number", Range.finite().describe());
        assertFalse(Range.finite().contains(Double.NaN));
        assertFalse(Range.finite().contains(Double.POSITIVE_INFINITY));
        assertFalse(Range.atLeast(0).contains(1.5));
        assertEquals("--x must be an integer in [1, 3], got 4", assertThrows(IllegalArgumentException.class, () -> Range.integers(1, 3).check("--x", 4)).getMessage());
    }
}
