package org.stylemap.metrics;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.stylemap.autograd.GradMode;
import org.stylemap.data.ImageDataset;
import org.stylemap.data.Progress;
import org.stylemap.data.Split;
import org.stylemap.edit.LocalEditError;
import org.stylemap.edit.Masks;
import org.stylemap.edit.Photos;
import org.stylemap.memory.Scope;
import org.stylemap.model.Encoder;
import org.stylemap.model.Generator;
import org.stylemap.ops.Views;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;
import org.stylemap.tensor.Tensor;

/**
 * The local-editing evaluation: for each (source, reference, mask) pair, both photos are
 * projected by the encoder, the generator mixes their stylemaps under the mask, and
 * {@link LocalEditError} measures the edit. The scores are means over the pairs of each part
 * (a CelebAMask-HQ label such as "nose"), then over the parts, as the official script averages.
 */
public final class LocalEditing {
    /** The official folder names (generate.py --mixing_type local_editing writes this layout). */
    public static final String SOURCE = "source_image", REFERENCE = "reference_image", MASK = "mask";

    /** Pairs [from, from + count): sources and references [count, 3, H, W], masks [count, H, W]. */
    public record PairBatch(Tensor source, Tensor reference, Tensor mask) {}

    /** The pairs of one part. */
    public interface Part {
        String name();

        int count();

        PairBatch get(int from, int count);
    }

    /** Means over the used pairs of each part and over the parts. */
    public record Result(double mseSrc, double mseRef, int pairs, int skipped, Map<String, double[]> perPart) {}

    private LocalEditing() {}

    /**
     * Pairs from a folder in the official layout: DIR/PART/{source_image,reference_image,mask}/NAME
     * for several parts, or DIR/{source_image,reference_image,mask}/NAME for one. Images are
     * center-cropped and resized to size; a mask is white (> mid-grey) where the edit takes the reference.
     */
    public static List<Part> fromFolder(Path dir, int size, DType dtype, Device device, java.util.function.Consumer<String> warn) {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException(dir + ": no such folder");
        List<Part> parts = new ArrayList<>();
        if (Files.isDirectory(dir.resolve(MASK))) parts.add(folderPart(dir, dir.getFileName().toString(), size, dtype, device, warn));
        else
            for (Path sub : list(dir))
                if (Files.isDirectory(sub.resolve(MASK))) parts.add(folderPart(sub, sub.getFileName().toString(), size, dtype, device, warn));
        if (parts.isEmpty())
            throw new IllegalArgumentException(dir + ": no '" + MASK + "' folder in it or in its subfolders (layout: docs/METRICS.md)");
        return parts;
    }

    private static Part folderPart(Path dir, String name, int size, DType dtype, Device device, java.util.function.Consumer<String> warn) {
        List<String> names = new ArrayList<>();
        for (Path m : list(dir.resolve(MASK))) {
            String file = m.getFileName().toString();
            if (!file.matches("(?i).*\\.(png|jpe?g)$")) continue;
            for (String other : List.of(SOURCE, REFERENCE))
                if (!Files.isRegularFile(dir.resolve(other).resolve(file)))
                    throw new IllegalArgumentException(dir.resolve(other).resolve(file) + ": missing (every mask needs a source and a reference image of the same name)");
            names.add(file);
        }
        if (names.isEmpty()) throw new IllegalArgumentException(dir.resolve(MASK) + ": no PNG or JPEG masks");
        return new Part() {
            @Override public String name() { return name; }

            @Override public int count() { return names.size(); }

            @Override
            public PairBatch get(int from, int count) {
                Tensor[] s = new Tensor[count], r = new Tensor[count], m = new Tensor[count];
                for (int i = 0; i < count; i++) {
                    String f = names.get(from + i);
                    s[i] = Photos.load(dir.resolve(SOURCE).resolve(f), size, dtype, device, warn);
                    r[i] = Photos.load(dir.resolve(REFERENCE).resolve(f), size, dtype, device, warn);
                    m[i] = Masks.load(dir.resolve(MASK).resolve(f), size, dtype, device);
                }
                return new PairBatch(Views.concat(0, s), Views.concat(0, r), Views.concat(0, m));
            }
        };
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new IllegalArgumentException(dir + ": cannot list (" + e.getMessage() + ")");
        }
    }

    /**
     * Pairs from a dataset's validation split when no folder is given: with m = min(n, val / 2),
     * pair k edits image k with image m + k under a half-image mask (left, right, top, bottom in
     * turn), like the official AFHQ evaluation's half-and-half masks.
     */
    public static Part fromDataset(ImageDataset data, int n, DType dtype, Device device) {
        int m = Math.min(n, data.count(Split.VAL) / 2), size = data.size();
        if (m < 1) throw new IllegalArgumentException(data.file() + ": local editing needs at least 2 validation images");
        ImageBatches val = Fid.dataset(data, Split.VAL, dtype, device);
        return new Part() {
            @Override public String name() { return "halves"; }

            @Override public int count() { return m; }

            @Override
            public PairBatch get(int from, int count) {
                double[] masks = new double[count * size * size];
                for (int i = 0; i < count; i++) halfMask(from + i, size, masks, i * size * size);
                return new PairBatch(val.get(from, count), val.get(m + from, count), Tensor.of(dtype, device, masks, count, size, size));
            }
        };
    }

    /** Pair k's mask: 1 on the left, right, top or bottom half (k mod 4), -1 elsewhere. */
    static void halfMask(int k, int size, double[] out, int offset) {
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++) {
                boolean in = switch (k % 4) {
                    case 0 -> x < size / 2;
                    case 1 -> x >= size / 2;
                    case 2 -> y < size / 2;
                    default -> y >= size / 2;
                };
                out[offset + y * size + x] = in ? 1 : -1;
            }
    }

    /**
     * Edits every pair and measures it. A pair whose mask is empty has no MSE_ref and is skipped,
     * as the official script skips it; edits are rounded to 8 bits as the official script reads
     * them from PNG files.
     *
     * @param wPlus mix at every resizer layer (official for CelebA-HQ) instead of once in the stylemap (AFHQ)
     */
    public static Result measure(Generator g, Encoder e, List<Part> parts, boolean wPlus, int batch, PrintStream log) {
        Map<String, double[]> perPart = new LinkedHashMap<>();
        int used = 0, skipped = 0, total = parts.stream().mapToInt(Part::count).sum(), done = 0;
        Progress progress = new Progress(log, "local_edit", "pairs", total, 10_000);
        double srcSum = 0, refSum = 0;
        try (GradMode off = GradMode.off()) {
            for (Part part : parts) {
                double src = 0, ref = 0;
                int srcCount = 0, refCount = 0;
                for (int from = 0; from < part.count(); from += batch) {
                    int k = Math.min(batch, part.count() - from);
                    try (Scope s = Scope.open()) {
                        PairBatch p = part.get(from, k);
                        Tensor ws = e.forward(p.source()), wr = e.forward(p.reference());
                        Tensor edit = EightBit.round(wPlus ? g.editWPlus(ws, wr, p.mask()) : g.editW(ws, wr, p.mask()));
                        LocalEditError.PerPair err = LocalEditError.measure(edit, p.source(), p.reference(), p.mask());
                        for (int i = 0; i < k; i++) {
                            if (Double.isNaN(err.mseRef()[i])) {
                                skipped++;
                                continue;
                            }
                            ref += err.mseRef()[i];
                            refCount++;
                            // A mask that covers the whole image leaves no region for MSE_src.
                            if (!Double.isNaN(err.mseSrc()[i])) {
                                src += err.mseSrc()[i];
                                srcCount++;
                            }
                        }
                    }
                    done += k;
                    progress.update(done);
                }
                if (refCount == 0) throw new IllegalArgumentException("local editing: every mask of part '" + part.name() + "' is empty");
                double partSrc = srcCount == 0 ? Double.NaN : src / srcCount, partRef = ref / refCount;
                perPart.put(part.name(), new double[] {partSrc, partRef, refCount});
                srcSum += partSrc;
                refSum += partRef;
                used += refCount;
            }
        }
        return new Result(srcSum / parts.size(), refSum / parts.size(), used, skipped, perPart);
    }
}
