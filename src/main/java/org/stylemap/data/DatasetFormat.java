package org.stylemap.data;

/**
 * The names in a prepared dataset file, shared by its writer and reader. Layout (version 1):
 * root attributes {@value #FORMAT_ATTR}, {@value #VERSION_ATTR}, {@value #SIZE_ATTR}, {@value #LAYOUT_ATTR}
 * and counts; per split a group holding uint8 shards [n, 3, size, size] named shard_0000, ... and
 * a string dataset {@value #NAMES} with the source name of every image in order.
 */
final class DatasetFormat {
    static final String FORMAT = "stylemap-images";
    static final int VERSION = 1;
    static final String LAYOUT = "NCHW";

    static final String FORMAT_ATTR = "format";
    static final String VERSION_ATTR = "format_version";
    static final String SIZE_ATTR = "size";
    static final String LAYOUT_ATTR = "layout";
    static final String COUNT_ATTR = "count";
    static final String NAMES = "names";

    /**
     * Bytes per shard at most. jhdf cannot write a dataset past 2 GiB, and one shard is read
     * through one memory-mapped buffer, which has the same limit; 1 GiB leaves room for both.
     */
    static final long SHARD_BYTES = 1L << 30;

    private DatasetFormat() {}

    /** The root attribute holding a split's image count ("train_count", "val_count"). */
    static String countAttr(Split s) {
        return s.group + "_count";
    }

    static String shardName(int index) {
        return String.format(java.util.Locale.ROOT, "shard_%04d", index);
    }
}
