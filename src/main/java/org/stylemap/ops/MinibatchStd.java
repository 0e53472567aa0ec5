package org.stylemap.ops;

import org.stylemap.tensor.Shape;
import org.stylemap.tensor.Tensor;

/**
 * StyleGAN2's minibatch standard deviation layer: the batch is split into groups of size
 * min(N, groupSize); within each group, the standard deviation over group members of every
 * feature (biased variance + 1e-8) is averaged over C/F, H and W into F numbers per group, which
 * are appended to every member as F constant channels. Sample n belongs to group n % (N/group).
 */
public final class MinibatchStd {
    private MinibatchStd() {}

    public static Tensor apply(Tensor x, int groupSize, int features) {
        Shape.check(x.rank() == 4, "minibatch_stddev: needs [N,C,H,W], got " + Shape.str(x.shape()));
        int n = x.shape(0), c = x.shape(1), h = x.shape(2), w = x.shape(3);
        int g = Math.min(n, groupSize);
        Shape.check(n % g == 0, "minibatch_stddev: batch " + n + " is not divisible by group " + g);
        Shape.check(c % features == 0, "minibatch_stddev: channels " + c + " not divisible by features " + features);
        int m = n / g;
        Tensor y = Views.reshape(x, g, m, features, c / features, h, w);
        Tensor std = Elementwise.sqrt(Elementwise.addScalar(Reductions.var(y, new int[] {0}, false, false), 1e-8));
        Tensor s = Reductions.mean(std, new int[] {2, 3, 4}, false);            // [m, F]
        Tensor perSample = Views.reshape(Views.expand(Views.reshape(s, 1, m, features, 1, 1), g, m, features, h, w),
                n, features, h, w);                                               // sample i gets group i % m
        return Views.concat(1, x, perSample);
    }
}
