package org.stylemap.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.stylemap.io.AtomicFile;
import org.stylemap.io.OutputFile;

/**
 * The folder a run writes into (and the run's inputs), checked before the work: a folder (not a file), writable, with
 * room for a checkpoint, and, for a fresh run, not already holding another run, whose
 * metrics.csv, plot, samples and checkpoints would be truncated, overwritten or mixed with the new
 * ones. The user continues that run with --resume, picks another folder, or asks to replace it.
 */
public final class RunFolder {
    /** The files a run writes (and their temporary files). */
    private static final Pattern RUN_FILE = Pattern.compile("(metrics\\.csv|losses\\.png|latest\\.h5|ckpt-\\d+\\.h5|sample-\\d+\\.png)(\\.tmp)?");

    private RunFolder() {}

    /**
     * Makes dir ready for a run of state (fresh when state.iteration is 0).
     *
     * @param overwrite a fresh run may delete the run files of an earlier run in dir
     * @throws IllegalArgumentException one line naming dir and what to do
     */
    public static void prepare(Path dir, TrainingState state, boolean overwrite) {
        Trainer.requireInputs(state.config); // a missing dataset is news before any folder is made
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new IllegalArgumentException("run folder " + dir + " is a file, not a folder");
        OutputFile.probe(dir.resolve("metrics.csv")); // creates dir, and says why when it cannot
        // Partial files of a run killed while writing: the names they were meant for hold the previous versions.
        for (Path p : runFiles(dir)) if (p.getFileName().toString().endsWith(".tmp")) delete(p);
        if (state.iteration == 0) {
            List<Path> earlier = runFiles(dir);
            if (!earlier.isEmpty() && !overwrite) throw new IllegalArgumentException(dir + " already holds a run (" + earlier.size()
                    + " files such as " + earlier.get(0).getFileName() + "); " + howToContinue(earlier)
                    + "choose another --out, or pass --overwrite to replace it");
            for (Path p : earlier) delete(p);
        }
        checkSpace(dir, Checkpoint.estimatedBytes(state));
    }

    private static String howToContinue(List<Path> files) {
        return files.stream().filter(p -> p.getFileName().toString().endsWith(".h5"))
                .max(Comparator.comparing(RunFolder::modified))
                .map(p -> "continue it with --resume " + p + ", ")
                .orElse("");
    }

    /** Fails before the work when the folder's device cannot hold one more checkpoint. */
    private static void checkSpace(Path dir, long checkpointBytes) {
        long free;
        try {
            free = Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            return; // no figure to judge by: the write itself reports a full disk
        }
        if (free < checkpointBytes) throw new IllegalArgumentException("no space left on device: " + dir + " has " + AtomicFile.megabytes(free)
                + " free, a checkpoint of this run takes about " + AtomicFile.megabytes(checkpointBytes));
    }

    static List<Path> runFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> RUN_FILE.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list " + dir + ": " + e.getMessage());
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    private static void delete(Path p) {
        try {
            Files.delete(p);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot delete " + p + " (" + e.getMessage() + ")");
        }
    }
}
