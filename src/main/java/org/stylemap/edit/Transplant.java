package org.stylemap.edit;

import java.util.List;
import org.stylemap.ops.Views;
import org.stylemap.tensor.Tensor;

/**
 * The official "transplantation": a box of the reference's stylemap is copied to another position
 * of the original's stylemap (in stylemap cells), so an object moves as well as changes. Boxes
 * apply in order, each copying from the reference's unmodified stylemap.
 */
public final class Transplant {
    private Transplant() {}

    /** A box of h x w cells taken at (fromY, fromX) in the reference and put at (toY, toX) in the original. */
    public record Move(int fromY, int fromX, int toY, int toX, int h, int w) {
        /** From "y,x" strings, as the command line gives them. */
        public static Move parse(String from, String to, String size) {
            int[] f = Ints.parse(from, 2, "--from y,x"), t = Ints.parse(to, 2, "--to y,x"), s = Ints.parse(size, 2, "--size h,w");
            return new Move(f[0], f[1], t[0], t[1], s[0], s[1]);
        }

        void check(int side) {
            if (h < 1 || w < 1) throw new IllegalArgumentException("transplant box " + this + ": size must be at least 1x1 cells");
            if (!inside(fromY, fromX, side) || !inside(toY, toX, side))
                throw new IllegalArgumentException("transplant box " + this + " reaches outside the " + side + "x" + side
                        + " stylemap (positions and sizes are in stylemap cells)");
        }

        private boolean inside(int y, int x, int side) {
            return y >= 0 && x >= 0 && y + h <= side && x + w <= side;
        }

        @Override
        public String toString() {
            return "from " + fromY + "," + fromX + " to " + toY + "," + toX + " size " + h + "," + w;
        }
    }

    /** The original's stylemap [1, sd, lss, lss] with every box of the reference's copied in. */
    public static Tensor apply(Tensor original, Tensor reference, List<Move> moves) {
        int side = original.shape(2);
        for (Move m : moves) m.check(side);
        Tensor out = original;
        for (Move m : moves) {
            int c = original.shape(1);
            Tensor patch = Views.narrow(reference, new int[] {0, 0, m.fromY(), m.fromX()}, new int[] {1, c, m.h(), m.w()});
            Tensor placed = Views.pad(patch, 0, 0, 0, 0, m.toY(), side - m.toY() - m.h(), m.toX(), side - m.toX() - m.w());
            out = org.stylemap.ops.Elementwise.where(cells(m, side, original), placed, out);
        }
        return out;
    }

    /** 1 on the target cells of a move, 0 elsewhere, as [1, 1, side, side]. */
    private static Tensor cells(Move m, int side, Tensor like) {
        double[] v = new double[side * side];
        for (int y = m.toY(); y < m.toY() + m.h(); y++)
            for (int x = m.toX(); x < m.toX() + m.w(); x++) v[y * side + x] = 1;
        return Tensor.of(like.dtype(), like.device(), v, 1, 1, side, side);
    }
}
