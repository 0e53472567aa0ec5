package org.stylemap.data;

import io.jhdf.api.DatasetCreationOptions;
import io.jhdf.api.WritableGroup;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.stylemap.io.H5;
import org.stylemap.io.OutputFile;
import io.jhdf.HdfFile;

/**
 * Collects 8-bit images and writes them as one prepared dataset file (layout in {@link DatasetFormat}),
 * choosing the validation images from a seed. jhdf writes the whole file when it is closed, so every
 * image stays in memory until then; they are kept as [3][size][size] byte arrays, which jhdf can
 * write as they are and which cost little more than the raw bytes (an [H][W][3] layout would need
 * one 3-byte Java array per pixel, about nine times the raw size).
 */
public final class DatasetWriter {
    /** What `prepare` writes, for the output check: an existing prepared dataset may be replaced by a new one, nothing else. */
    public static final OutputFile.Kind KIND = new OutputFile.Kind("prepared dataset", DatasetWriter::isDataset);

    private static final DatasetCreationOptions UINT8 = DatasetCreationOptions.builder().unsigned().build();

    private final int size;
    private final long shardBytes;
    private final List<String> names = new ArrayList<>();
    private final List<byte[][][]> images = new ArrayList<>();
    private final Map<String, Object> provenance = new TreeMap<>();

    /** A writer for size x size images. */
    public DatasetWriter(int size) {
        this(size, DatasetFormat.SHARD_BYTES);
    }

    /** With a custom shard limit, so tests can exercise several shards with a few small images. */
    DatasetWriter(int size, long shardBytes) {
        if (size <= 0) throw new IllegalArgumentException("image size must be positive, got " + size);
        this.size = size;
        this.shardBytes = shardBytes;
    }

    private static boolean isDataset(Path p) {
        try (HdfFile f = new HdfFile(p)) {
            return DatasetFormat.FORMAT.equals(H5.attribute(f, DatasetFormat.FORMAT_ATTR));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Adds an image ([3][size][size], as {@link RgbImage#toUint8()} makes) under its source name. */
    public void add(String name, byte[][][] chw) {
        if (chw.length != 3 || chw[0].length != size || chw[0][0].length != size)
            throw new IllegalArgumentException(name + ": expected a [3][" + size + "][" + size + "] image");
        names.add(name);
        images.add(chw);
    }

    /** A root attribute recording where the data came from (String, Integer, Long or Double); no timestamps, so output stays reproducible. */
    public void provenance(String attribute, Object value) {
        provenance.put(attribute, value);
    }

    public int count() { return images.size(); }

    /** About how much heap one held image takes: its bytes plus the headers of its row arrays. */
    static long heapBytesPerImage(int size) {
        return 3L * size * (size + 24) + 12L * size + 64;
    }

    /**
     * How many of n images go to validation: none for fraction 0 or a single image, otherwise
     * round(fraction * n) kept within [1, n - 1] so both splits are usable.
     */
    public static int validationCount(int n, double fraction) {
        if (fraction < 0 || fraction >= 1) throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + fraction);
        if (fraction == 0 || n < 2) return 0;
        return (int) Math.max(1, Math.min(n - 1, Math.round(fraction * n)));
    }

    /**
     * Writes the file atomically. The validation images are a random subset chosen by seed; both
     * splits keep the order in which images were added.
     */
    public void write(Path file, double valFraction, long seed) {
        int n = images.size();
        if (n == 0) throw new IllegalStateException("no images to write to " + file);
        boolean[] val = new boolean[n];
        int[] perm = Draws.permutation(Draws.key(seed, Draws.SPLIT), 0, n);
        for (int i = 0; i < validationCount(n, valFraction); i++) val[perm[i]] = true;
        H5.writeAtomically(file, (long) n * 3 * size * size, f -> {
            f.putAttribute(DatasetFormat.FORMAT_ATTR, DatasetFormat.FORMAT);
            f.putAttribute(DatasetFormat.VERSION_ATTR, DatasetFormat.VERSION);
            f.putAttribute(DatasetFormat.SIZE_ATTR, size);
            f.putAttribute(DatasetFormat.LAYOUT_ATTR, DatasetFormat.LAYOUT);
            f.putAttribute("seed", seed);
            f.putAttribute("val_fraction", valFraction);
            provenance.forEach(f::putAttribute);
            for (Split s : Split.values()) {
                List<Integer> members = new ArrayList<>();
                for (int i = 0; i < n; i++) if (val[i] == (s == Split.VAL)) members.add(i);
                f.putAttribute(DatasetFormat.countAttr(s), members.size());
                writeSplit(f.putGroup(s.group), members);
            }
        });
    }

    private void writeSplit(WritableGroup g, List<Integer> members) {
        g.putAttribute(DatasetFormat.COUNT_ATTR, members.size());
        if (members.isEmpty()) return; // jhdf cannot write empty datasets; count 0 says it all
        int perShard = (int) Math.max(1, shardBytes / (3L * size * size));
        for (int start = 0, shard = 0; start < members.size(); start += perShard, shard++) {
            int k = Math.min(perShard, members.size() - start);
            byte[][][][] data = new byte[k][][][];
            for (int j = 0; j < k; j++) data[j] = images.get(members.get(start + j));
            g.putDataset(DatasetFormat.shardName(shard), data, UINT8);
        }
        g.putDataset(DatasetFormat.NAMES, members.stream().map(names::get).toArray(String[]::new));
    }
}
