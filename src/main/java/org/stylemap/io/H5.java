package org.stylemap.io;

import io.jhdf.HdfFile;
import io.jhdf.Superblock;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.WritableGroup;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/** Tensors in HDF5 files (jhdf): reading datasets and groups, and atomic writes. */
public final class H5 {
    private H5() {}

    /**
     * Opens a file for reading with a one-line error when it is missing, not HDF5, or shorter than
     * its superblock says (a truncated copy or download: h5py refuses those too, while jhdf
     * would read zeros or garbage past the end).
     */
    public static HdfFile open(Path path) {
        InputFile.require(path);
        HdfFile f;
        try {
            f = new HdfFile(path);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(path + ": not a readable HDF5 file (" + e.getMessage() + ")");
        }
        Superblock sb = f.getHdfBackingStorage().getSuperblock();
        long end = sb.getBaseAddressByte() + sb.getEndOfFileAddress(), size = f.size();
        if (size < end) {
            f.close();
            throw new IllegalArgumentException(path + ": truncated HDF5 file (" + size + " of " + end + " bytes; copy or write it again)");
        }
        return f;
    }

    /** A dataset as a tensor of the given dtype. */
    public static Tensor tensor(Dataset ds, DType dtype, Device device) {
        int[] dims = ds.isScalar() ? new int[0] : ds.getDimensions();
        return Tensor.of(dtype, device, flatDoubles(ds.getDataFlat(), ds.getPath()), dims);
    }

    /** A dataset's values on the host, row-major, as double. */
    public static double[] values(HdfFile f, String path) {
        Node n = f.getByPath(path);
        if (!(n instanceof Dataset ds)) throw new IllegalArgumentException(f.getFile() + ": '" + path + "' is not a dataset");
        return flatDoubles(ds.getDataFlat(), ds.getPath());
    }

    public static Tensor tensor(HdfFile f, String path, DType dtype, Device device) {
        Node n = f.getByPath(path);
        if (!(n instanceof Dataset ds)) throw new IllegalArgumentException(f.getFile() + ": '" + path + "' is not a dataset");
        return tensor(ds, dtype, device);
    }

    /** Every dataset directly in a group, by name (the names may contain dots). */
    public static Map<String, Tensor> group(HdfFile f, String path, DType dtype, Device device) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Node> e : requireGroup(f, path).getChildren().entrySet())
            if (e.getValue() instanceof Dataset ds) out.put(e.getKey(), tensor(ds, dtype, device));
        return out;
    }

    public static Group requireGroup(HdfFile f, String path) {
        Node n;
        try {
            n = f.getByPath(path);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(f.getFile() + ": missing group '" + path + "'");
        }
        if (!(n instanceof Group g)) throw new IllegalArgumentException(f.getFile() + ": '" + path + "' is not a group");
        return g;
    }

    public static boolean exists(HdfFile f, String path) {
        try {
            f.getByPath(path);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    static double[] flatDoubles(Object data, String where) {
        return switch (data) {
            case double[] d -> d;
            case float[] a -> { double[] d = new double[a.length]; for (int i = 0; i < a.length; i++) d[i] = a[i]; yield d; }
            case long[] a -> { double[] d = new double[a.length]; for (int i = 0; i < a.length; i++) d[i] = a[i]; yield d; }
            case int[] a -> { double[] d = new double[a.length]; for (int i = 0; i < a.length; i++) d[i] = a[i]; yield d; }
            case short[] a -> { double[] d = new double[a.length]; for (int i = 0; i < a.length; i++) d[i] = a[i]; yield d; }
            case byte[] a -> { double[] d = new double[a.length]; for (int i = 0; i < a.length; i++) d[i] = a[i]; yield d; }
            case Double v -> new double[] {v};
            case Float v -> new double[] {v};
            case Long v -> new double[] {v};
            case Integer v -> new double[] {v};
            default -> throw new IllegalArgumentException(where + ": unsupported HDF5 element type " + data.getClass().getSimpleName());
        };
    }

    /** A root attribute as a string (numbers are printed), or null when absent. */
    public static String attribute(Node node, String name) {
        Attribute a = node.getAttribute(name);
        if (a == null) return null;
        Object v = a.getData();
        if (v instanceof String s) return s;
        if (v instanceof Object[] arr && arr.length == 1) return String.valueOf(arr[0]);
        if (v.getClass().isArray() && java.lang.reflect.Array.getLength(v) == 1) return String.valueOf(java.lang.reflect.Array.get(v, 0));
        return String.valueOf(v);
    }

    /** Writes a dataset holding the tensor's values with the tensor's shape (float32 or float64). */
    public static void put(WritableGroup g, String name, Tensor t) {
        double[] v = t.toDoubleArray();
        if (t.rank() == 0) {
            g.putDataset(name, t.dtype() == DType.F64 ? (Object) v[0] : (Object) (float) v[0]);
            return;
        }
        Object data = switch (t.dtype()) {
            case F64 -> shapeArray(v, t.shape());
            case F32 -> {
                float[] f = new float[v.length];
                for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
                yield shapeArray(f, t.shape());
            }
        };
        g.putDataset(name, data);
    }

    /** A flat primitive array as the nested array jhdf writes with the given dimensions. */
    static Object shapeArray(Object flat, int[] shape) {
        if (shape.length <= 1) return flat;
        Class<?> component = flat.getClass().getComponentType();
        Object out = java.lang.reflect.Array.newInstance(component, shape);
        int inner = shape[shape.length - 1];
        int rows = java.lang.reflect.Array.getLength(flat) / Math.max(1, inner);
        int[] idx = new int[shape.length - 1];
        for (int r = 0; r < rows; r++) {
            Object row = out;
            for (int d = 0; d < idx.length - 1; d++) row = java.lang.reflect.Array.get(row, idx[d]);
            System.arraycopy(flat, r * inner, java.lang.reflect.Array.get(row, idx[idx.length - 1]), 0, inner);
            for (int d = idx.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) break;
                idx[d] = 0;
            }
        }
        return out;
    }

    /** Writes the file through body into "path.tmp", then renames it over path (never a half-written file). */
    public static void writeAtomically(Path path, java.util.function.Consumer<WritableHdfFile> body) {
        writeAtomically(path, 0, body);
    }

    /**
     * Like {@link #writeAtomically(Path, java.util.function.Consumer)}; expectedBytes (about the file's size, 0 if unknown) is named if the device fills up.
     */
    public static void writeAtomically(Path path, long expectedBytes, java.util.function.Consumer<WritableHdfFile> body) {
        AtomicFile.write(path, expectedBytes, tmp -> {
            try (WritableHdfFile f = HdfFile.write(tmp)) {
                body.accept(f);
            }
        });
    }
}
