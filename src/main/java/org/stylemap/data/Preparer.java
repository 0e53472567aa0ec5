package org.stylemap.data;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * `stylemap prepare`: a folder of photos to a prepared dataset file. Files are taken in sorted
 * order of their relative paths and decoded in parallel; each result depends only on its file, so
 * the output is byte-identical for the same input whatever the thread count.
 */
public final class Preparer {
    /** How many skipped files the warning names before it only counts. */
    private static final int NAMED_IN_WARNING = 5;

    /** How a non-square photo becomes square. */
    public enum Crop {
        /** The largest centred square, then resize: keeps the aspect ratio. */
        CENTER,
        /** Resize the whole photo to a square: keeps everything, distorts the aspect ratio. */
        NONE;

        /** "center" or "none". */
        public static Crop parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "center", "centre" -> CENTER;
                case "none" -> NONE;
                default -> throw new IllegalArgumentException("unknown crop '" + s + "' (expected center or none)");
            };
        }
    }

    /**
     * What to prepare.
     *
     * @param images      the folder, walked recursively (symbolic links followed)
     * @param size        the side length of the output images
     * @param out         the .h5 file to write
     * @param valFraction the share of images held out for validation, in [0, 1)
     * @param crop        how to make photos square
     * @param seed        chooses the validation images
     * @param threads     decoding threads
     */
    public record Options(Path images, int size, Path out, double valFraction, Crop crop, long seed, int threads) {
        public Options {
            if (size <= 0) throw new IllegalArgumentException("--size must be positive, got " + size);
            if (valFraction < 0 || valFraction >= 1) throw new IllegalArgumentException("--val-fraction must be in [0, 1), got " + valFraction);
            if (threads <= 0) throw new IllegalArgumentException("threads must be positive, got " + threads);
        }
    }

    /** A file left out and why. */
    public record Skipped(String name, String reason) {}

    /** What was written; upscaled lists the images smaller than size (after cropping) with their sizes. */
    public record Summary(Path out, int train, int val, int size, List<Skipped> skipped, List<Skipped> upscaled, long bytes, double seconds) {
        /** One line naming the first few images that were enlarged, or null when none was. */
        public String upscaledWarning() {
            if (upscaled.isEmpty()) return null;
            List<String> named = upscaled.stream().limit(NAMED_IN_WARNING).map(u -> u.name() + " (" + u.reason() + ")").toList();
            String more = upscaled.size() > named.size() ? " and " + (upscaled.size() - named.size()) + " more" : "";
            return "warning: " + upscaled.size() + " of " + (train + val) + " images are smaller than " + size + "x" + size
                    + " after cropping and were enlarged: " + String.join(", ", named) + more;
        }

        /**
         * One line naming the first few skipped files grouped by reason and counting the rest, or
         * null when none was skipped.
         */
        public String warning() {
            if (skipped.isEmpty()) return null;
            Map<String, List<String>> byReason = new LinkedHashMap<>();
            for (Skipped s : skipped) byReason.computeIfAbsent(s.reason(), r -> new ArrayList<>()).add(s.name());
            List<String> parts = new ArrayList<>();
            int named = 0, unnamed = 0;
            for (Map.Entry<String, List<String>> e : byReason.entrySet()) {
                List<String> names = e.getValue();
                int show = Math.min(names.size(), NAMED_IN_WARNING - named);
                if (show == 0) {
                    unnamed += names.size();
                    continue;
                }
                named += show;
                String more = names.size() > show ? " and " + (names.size() - show) + " more" : "";
                parts.add(String.join(", ", names.subList(0, show)) + more + " (" + e.getKey() + ")");
            }
            if (unnamed > 0) parts.add(unnamed + " more for other reasons");
            return "warning: skipped " + skipped.size() + " of " + (skipped.size() + train + val) + " files: " + String.join("; ", parts);
        }
    }

    private Preparer() {}

    /**
     * Prepares the dataset, reporting progress on log.
     *
     * @throws IllegalArgumentException when the folder is missing or holds no readable image
     */
    public static Summary run(Options o, PrintStream log) {
        long t0 = System.nanoTime();
        List<String> files = list(o.images());
        List<String> candidates = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>(), upscaled = new ArrayList<>();
        for (String f : files) {
            if (ImageFiles.hasImageExtension(f)) candidates.add(f);
            else skipped.add(new Skipped(f, "not a .png/.jpg/.jpeg file"));
        }
        if (candidates.isEmpty())
            throw new IllegalArgumentException(o.images() + ": no .png/.jpg/.jpeg files (found " + files.size() + " other files)");

        checkHeap(candidates.size(), o.size());
        DatasetWriter writer = new DatasetWriter(o.size());
        Progress progress = new Progress(log, "prepare", "images", candidates.size(), 2000);
        try (ExecutorService pool = Executors.newFixedThreadPool(o.threads())) {
            List<Future<SquareImage>> results = new ArrayList<>();
            for (String f : candidates) results.add(pool.submit(() -> convert(o.images().resolve(f), o)));
            for (int i = 0; i < candidates.size(); i++) {
                try {
                    SquareImage img = results.get(i).get();
                    writer.add(candidates.get(i), img.image().toUint8());
                    if (img.upscaled() != null) upscaled.add(new Skipped(candidates.get(i), img.upscaled()));
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof UnreadableImageException u)) {
                        pool.shutdownNow();
                        if (e.getCause() instanceof Error err) throw err; // out of memory keeps its own message
                        throw new IllegalStateException(candidates.get(i) + ": " + e.getCause(), e.getCause());
                    }
                    skipped.add(new Skipped(candidates.get(i), u.reason()));
                }
                progress.update(i + 1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (writer.count() == 0)
            throw new IllegalArgumentException(o.images() + ": none of the " + candidates.size() + " image files is readable (first: "
                    + skipped.get(0).name() + ": " + skipped.get(0).reason() + ")");
        skipped.sort(java.util.Comparator.comparing(Skipped::name));
        writer.provenance("source", "images");
        writer.provenance("crop", o.crop().name().toLowerCase(Locale.ROOT));
        writer.write(o.out(), o.valFraction(), o.seed());
        int val = DatasetWriter.validationCount(writer.count(), o.valFraction());
        long bytes;
        try {
            bytes = Files.size(o.out());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Summary(o.out(), writer.count() - val, val, o.size(), List.copyOf(skipped), List.copyOf(upscaled), bytes,
                (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Fails before hours of decoding when the images cannot all fit in the heap, which they must
     * since jhdf writes the file in one go at the end.
     */
    private static void checkHeap(int images, int size) {
        long perImage = DatasetWriter.heapBytesPerImage(size);
        long need = images * perImage, max = Runtime.getRuntime().maxMemory();
        if (need > 0.85 * max)
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%d images of %dx%d need about %.1f GB of heap, more than the %.1f GB this JVM may use (raise STYLEMAP_HEAP or prepare a smaller size)",
                    images, size, size, need / 1e9, max / 1e9));
    }

    /** The image files (by extension) that {@link #run} reads from dir: the inputs an output must not replace. */
    public static List<Path> imageFiles(Path dir) {
        return list(dir).stream().filter(ImageFiles::hasImageExtension).map(dir::resolve).toList();
    }

    /** Every regular file under dir as a '/'-separated relative path, sorted, so the order is the same on every OS. */
    public static List<String> list(Path dir) {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException(dir + ": no such directory");
        try (Stream<Path> s = Files.walk(dir, FileVisitOption.FOLLOW_LINKS)) {
            return s.filter(Files::isRegularFile)
                    .map(p -> dir.relativize(p).toString().replace(dir.getFileSystem().getSeparator(), "/"))
                    .sorted()
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalArgumentException(dir + ": cannot list files (" + e.getMessage() + ")", e);
        }
    }

    private static SquareImage convert(Path file, Options o) throws UnreadableImageException {
        return SquareImage.of(ImageFiles.read(file), o.crop(), o.size());
    }
}
