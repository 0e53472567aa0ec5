package org.stylemap.model;

import java.util.ArrayList;
import java.util.List;
import org.stylemap.nn.Module;
import org.stylemap.ops.Elementwise;
import org.stylemap.ops.Pooling;
import org.stylemap.tensor.Tensor;

/**
 * torchvision's VGG16 "features" cut into LPIPS's five slices, each ending at a tapped ReLU
 * (relu1_2, relu2_2, relu3_3, relu4_3, relu5_3). Children keep torchvision's feature indices
 * ("slice2.5.weight" is features.5), so exported ImageNet weights load by name.
 */
final class LpipsVgg extends Module {
    /** Convolutions per slice in VGG16. */
    private static final int[] CONVS = {2, 2, 3, 3, 3};

    private final List<Slice> slices = new ArrayList<>();

    LpipsVgg(Init init, int[] widths) {
        int in = 3, index = 0;
        for (int s = 0; s < CONVS.length; s++) {
            Slice slice = module("slice" + (s + 1), new Slice(init, index, s > 0, CONVS[s], in, widths[s]));
            slices.add(slice);
            index = slice.end;
            in = widths[s];
        }
    }

    /** The five tapped feature maps of x (already scaled), from the finest to the coarsest. */
    List<Tensor> features(Tensor x) {
        List<Tensor> out = new ArrayList<>();
        for (Slice s : slices) {
            x = s.forward(x);
            out.add(x);
        }
        return out;
    }

    /** An optional 2x2/2 max pool, then (3x3 conv, ReLU) pairs; the pool and each ReLU take a feature index. */
    private static final class Slice extends Module {
        private final boolean pool;
        private final List<LpipsConv2d> convs = new ArrayList<>();
        private final int end; // the feature index after this slice

        Slice(Init init, int first, boolean pool, int count, int in, int out) {
            this.pool = pool;
            int index = pool ? first + 1 : first;
            for (int j = 0; j < count; j++, index += 2)
                convs.add(module(String.valueOf(index), LpipsConv2d.vgg(init, j == 0 ? in : out, out)));
            this.end = index;
        }

        Tensor forward(Tensor x) {
            if (pool) x = Pooling.maxPool2d(x, 2, 2, 0);
            for (LpipsConv2d c : convs) x = Elementwise.leakyRelu(c.forward(x), 0);
            return x;
        }
    }
}
