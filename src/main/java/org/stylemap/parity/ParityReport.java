package org.stylemap.parity;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.stylemap.tensor.Tensor;

/** Per-tensor comparisons against a fixture, with the tolerance each must meet. */
public final class ParityReport {
    /** relative: ||a-ref|| / ||ref||; absolute: max |a - ref| (for trained parameters in float32). */
    public record Row(String name, double error, double tolerance, boolean absolute) {
        public boolean ok() {
            return error <= tolerance;
        }
    }

    private final List<Row> rows = new ArrayList<>();

    public void relative(String name, Tensor actual, double[] ref, double tol) {
        relative(name, actual, ref, tol, 0);
    }

    /** ||a - ref|| / max(||ref||, floor): the fixture README's error, floor = 1e-6 x the group's largest reference norm. */
    public void relative(String name, Tensor actual, double[] ref, double tol, double floor) {
        rows.add(new Row(name, relativeError(actual.toDoubleArray(), ref, floor, name), tol, false));
    }

    public void relative(String name, double actual, double ref, double tol) {
        rows.add(new Row(name, relativeError(new double[] {actual}, new double[] {ref}, 0, name), tol, false));
    }

    public void absolute(String name, Tensor actual, double[] r, double tol) {
        double[] a = actual.toDoubleArray();
        checkLength(a, r, name);
        double worst = 0;
        for (int i = 0; i < a.length; i++) worst = Math.max(worst, Double.isNaN(a[i]) ? Double.POSITIVE_INFINITY : Math.abs(a[i] - r[i]));
        rows.add(new Row(name, worst, tol, true));
    }

    /** ||a - ref||_2 / max(||ref||_2, floor) (the absolute ||a - ref||_2 when both are zero). */
    static double relativeError(double[] a, double[] ref, double floor, String name) {
        checkLength(a, ref, name);
        double num = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - ref[i];
            num += d * d;
        }
        if (Double.isNaN(num)) return Double.POSITIVE_INFINITY;
        double den = Math.max(norm(ref), floor);
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num) / den;
    }

    static double norm(double[] v) {
        double s = 0;
        for (double x : v) s += x * x;
        return Math.sqrt(s);
    }

    private static void checkLength(double[] a, double[] r, String name) {
        if (a.length != r.length)
            throw new IllegalStateException(name + ": " + a.length + " values computed, reference has " + r.length);
    }

    public List<Row> rows() {
        return List.copyOf(rows);
    }

    public List<Row> failures() {
        return rows.stream().filter(r -> !r.ok()).toList();
    }

    public double worst(String prefix) {
        return rows.stream().filter(r -> r.name().startsWith(prefix)).mapToDouble(Row::error).max().orElse(0);
    }

    public void print(PrintStream out, boolean all) {
        for (Row r : rows)
            if (all || !r.ok())
                out.printf("%-4s %-78s %10.3e %s %.0e%n", r.ok() ? "ok" : "FAIL", r.name(), r.error(), r.absolute() ? "abs<=" : "rel<=", r.tolerance());
    }
}
