package org.stylemap.data;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.dataset.ContiguousDataset;
import io.jhdf.object.datatype.FixedPoint;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import org.stylemap.io.H5;

/**
 * A prepared dataset file (see {@link DatasetFormat}) opened for random access. Shards are
 * memory-mapped, so opening is cheap whatever the size and reads from many threads are safe.
 */
public final class ImageDataset implements AutoCloseable {
    /** Pixel byte value to [-1, 1]: x / 127.5 - 1, exact at both ends. */
    private static final float[] TO_UNIT = new float[256];

    static {
        for (int v = 0; v < 256; v++) TO_UNIT[v] = v / 127.5f - 1f;
    }

    private final Path file;
    private final HdfFile hdf;
    private final int size;
    private final Map<Split, Part> parts = new EnumMap<>(Split.class);
    private volatile boolean closed;

    /** One split: its shards' mapped bytes, the first image index of each shard, and the names. */
    private record Part(ByteBuffer[] shards, int[] firstIndex, String[] names) {
        int count() { return names.length; }
    }

    private ImageDataset(Path file, HdfFile hdf) {
        this.file = file;
        this.hdf = hdf;
        Object format = attribute(hdf, DatasetFormat.FORMAT_ATTR);
        if (!DatasetFormat.FORMAT.equals(format))
            throw invalid("not a prepared image dataset (no '" + DatasetFormat.FORMAT_ATTR + "' = '" + DatasetFormat.FORMAT
                    + "' attribute; make one with `stylemap prepare`)");
        int version = intAttribute(hdf, DatasetFormat.VERSION_ATTR);
        if (version != DatasetFormat.VERSION)
            throw invalid("dataset format version " + version + ", this build reads version " + DatasetFormat.VERSION + " (prepare it again)");
        this.size = intAttribute(hdf, DatasetFormat.SIZE_ATTR);
        if (!DatasetFormat.LAYOUT.equals(attribute(hdf, DatasetFormat.LAYOUT_ATTR)))
            throw invalid("unsupported layout '" + attribute(hdf, DatasetFormat.LAYOUT_ATTR) + "'");
    }

    /**
     * Opens a prepared dataset.
     *
     * @throws IllegalArgumentException one line naming the file when it is missing, not HDF5, or not a prepared dataset
     */
    public static ImageDataset open(Path file) {
        HdfFile hdf = H5.open(file);
        try {
            return new ImageDataset(file, hdf);
        } catch (RuntimeException e) {
            hdf.close();
            throw e;
        }
    }

    /**
     * Opens a prepared dataset whose images must be expectedSize x expectedSize.
     *
     * @throws IllegalArgumentException also when the file holds another size, naming both sizes
     */
    public static ImageDataset open(Path file, int expectedSize) {
        ImageDataset d = open(file);
        if (d.size != expectedSize) {
            d.close();
            throw new IllegalArgumentException(file + " holds " + d.size + "x" + d.size + " images, but " + expectedSize + "x"
                    + expectedSize + " were expected (prepare it again with --size " + expectedSize + ")");
        }
        return d;
    }

    public Path file() { return file; }

    /** The side length of every image. */
    public int size() { return size; }

    /** Bytes of one image (3 * size * size). */
    public int imageBytes() { return 3 * size * size; }

    /**
     * How many images the split holds (0 is possible, e.g. no validation images).
     *
     * @throws IllegalArgumentException when the file has no such split
     */
    public int count(Split split) {
        return part(split).count();
    }

    /** The source name (relative path) of image i of the split. */
    public String name(Split split, int i) {
        Part p = part(split);
        return p.names[checkIndex(p, split, i)];
    }

    /** Copies image i of the split as uint8 [3][size][size] (flattened) into dst at offset. */
    public void read(Split split, int i, byte[] dst, int offset) {
        if (closed) throw new IllegalStateException(file + " is closed");
        Part p = part(split);
        checkIndex(p, split, i);
        int shard = Arrays.binarySearch(p.firstIndex, i);
        if (shard < 0) shard = -shard - 2; // the shard whose first index is the largest <= i
        int n = imageBytes();
        // Absolute bulk get: leaves the buffer's position alone, so concurrent readers are safe.
        p.shards[shard].get((i - p.firstIndex[shard]) * n, dst, offset, n);
    }

    /** Image i of the split, values in [0, 255]. */
    public RgbImage image(Split split, int i) {
        byte[] b = new byte[imageBytes()];
        read(split, i, b, 0);
        return RgbImage.fromUint8(b, 0, size, size);
    }

    /**
     * The given images of the split as one batch scaled to [-1, 1], each mirrored left-right where
     * flips says so.
     */
    public Batch batch(Split split, int[] indices, boolean[] flips, long position) {
        int n = imageBytes();
        byte[] raw = new byte[n];
        float[] out = new float[indices.length * n];
        for (int s = 0; s < indices.length; s++) {
            read(split, indices[s], raw, 0);
            int base = s * n;
            for (int row = 0; row < 3 * size; row++) {
                int o = base + row * size, r = row * size;
                if (flips[s]) for (int x = 0; x < size; x++) out[o + x] = TO_UNIT[raw[r + size - 1 - x] & 0xFF];
                else for (int x = 0; x < size; x++) out[o + x] = TO_UNIT[raw[r + x] & 0xFF];
            }
        }
        return new Batch(position, indices.clone(), flips.clone(), size, out);
    }

    /**
     * The first min(k, validation count) validation images, unflipped: the same every call, for
     * comparing reconstructions across training.
     *
     * @throws IllegalArgumentException when the file has no validation images
     */
    public Batch fixedValidationBatch(int k) {
        int n = Math.min(k, count(Split.VAL));
        if (n <= 0) throw new IllegalArgumentException(file + " has no validation images (prepare it with --val-fraction > 0)");
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        return batch(Split.VAL, idx, new boolean[n], -1);
    }

    @Override
    public void close() {
        closed = true;
        hdf.close();
    }

    private synchronized Part part(Split split) {
        return parts.computeIfAbsent(split, this::load);
    }

    private Part load(Split split) {
        if (!H5.exists(hdf, "/" + split.group)) throw invalid("missing split '" + split.group + "'");
        Group g = H5.requireGroup(hdf, "/" + split.group);
        int count = intAttribute(g, DatasetFormat.COUNT_ATTR);
        if (count == 0) return new Part(new ByteBuffer[0], new int[0], new String[0]);
        int shardCount = 0;
        while (g.getChildren().containsKey(DatasetFormat.shardName(shardCount))) shardCount++;
        ByteBuffer[] shards = new ByteBuffer[shardCount];
        int[] first = new int[shardCount];
        int total = 0;
        for (int s = 0; s < shardCount; s++) {
            Node node = g.getChild(DatasetFormat.shardName(s));
            String where = split.group + "/" + DatasetFormat.shardName(s);
            if (!(node instanceof ContiguousDataset ds) || !(ds.getDataType() instanceof FixedPoint fp) || fp.getSize() != 1)
                throw invalid("'" + where + "' is not a contiguous uint8 dataset");
            int[] dims = ds.getDimensions();
            if (dims.length != 4 || dims[1] != 3 || dims[2] != size || dims[3] != size)
                throw invalid("'" + where + "' has shape " + Arrays.toString(dims) + ", expected [n, 3, " + size + ", " + size + "]");
            shards[s] = ds.getBuffer();
            // The file's end was checked at open; a shard must also hold all the bytes its shape says.
            long expected = (long) dims[0] * imageBytes();
            if (shards[s].remaining() != expected)
                throw invalid("'" + where + "' holds " + shards[s].remaining() + " bytes, its shape needs " + expected + " (truncated or damaged file)");
            first[s] = total;
            total += dims[0];
        }
        String[] names = names(g, split);
        if (total != count || names.length != count)
            throw invalid("split '" + split.group + "' says " + count + " images but has " + total + " in shards and " + names.length + " names");
        return new Part(shards, first, names);
    }

    private String[] names(Group g, Split split) {
        if (!(g.getChild(DatasetFormat.NAMES) instanceof Dataset ds) || !(ds.getData() instanceof String[] names))
            throw invalid("split '" + split.group + "' has no string dataset '" + DatasetFormat.NAMES + "'");
        return names;
    }

    private int checkIndex(Part p, Split split, int i) {
        if (i < 0 || i >= p.count())
            throw new IndexOutOfBoundsException("image " + i + " of split '" + split.group + "' (it has " + p.count() + ") in " + file);
        return i;
    }

    private static Object attribute(Node node, String name) {
        Attribute a = node.getAttribute(name);
        return a == null ? null : a.getData();
    }

    private int intAttribute(Node node, String name) {
        if (!(attribute(node, name) instanceof Number v)) throw invalid("missing integer attribute '" + name + "' on " + node.getPath());
        return v.intValue();
    }

    private IllegalArgumentException invalid(String what) {
        return new IllegalArgumentException(file + ": " + what);
    }
}
