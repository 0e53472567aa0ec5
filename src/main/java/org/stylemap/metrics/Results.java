package org.stylemap.metrics;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.stylemap.io.AtomicFile;

/**
 * The scores of one evaluation: rows of (metric, value, images or pairs it used), printed as a
 * table and written as CSV and JSON beside the checkpoint. Existing results are never replaced:
 * the files are numbered (NAME.eval.csv, NAME.eval-2.csv, ...).
 */
public final class Results {
    public record Row(String metric, double value, long count, String unit) {}

    private final List<Row> rows = new ArrayList<>();
    private final Map<String, String> context = new LinkedHashMap<>();

    public void add(String metric, double value, long count, String unit) {
        rows.add(new Row(metric, value, count, unit));
    }

    /** Describes the run (checkpoint, dataset, device, ...) in the JSON file. */
    public void describe(String key, String value) {
        context.put(key, value);
    }

    public List<Row> rows() {
        return List.copyOf(rows);
    }

    /** The value of a metric, or NaN when it was not measured. */
    public double value(String metric) {
        return rows.stream().filter(r -> r.metric.equals(metric)).mapToDouble(Row::value).findFirst().orElse(Double.NaN);
    }

    public String table() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-22s %14s %10s\n", "metric", "value", "n"));
        for (Row r : rows)
            sb.append(String.format(Locale.ROOT, "%-22s %14s %10d %s", r.metric, format(r.value), r.count, r.unit).stripTrailing())
                    .append('\n');
        return sb.toString();
    }

    private static String format(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.6g", v);
    }

    /**
     * Writes STEM.eval[-k].csv and .json beside the checkpoint with the first k that names no
     * existing file of either kind; returns the two paths.
     */
    public List<Path> writeBeside(Path checkpoint) {
        String stem = checkpoint.getFileName().toString().replaceFirst("\\.h5$", "");
        Path dir = checkpoint.toAbsolutePath().getParent();
        Path csv, json;
        for (int k = 1; ; k++) {
            String suffix = k == 1 ? ".eval" : ".eval-" + k;
            csv = dir.resolve(stem + suffix + ".csv");
            json = dir.resolve(stem + suffix + ".json");
            if (!Files.exists(csv) && !Files.exists(json)) break;
        }
        String csvText = csv();
        String jsonText = json();
        AtomicFile.write(csv, tmp -> Files.writeString(tmp, csvText));
        AtomicFile.write(json, tmp -> Files.writeString(tmp, jsonText));
        return List.of(csv, json);
    }

    String csv() {
        StringBuilder sb = new StringBuilder("metric,value,n,unit\n");
        for (Row r : rows)
            sb.append(r.metric).append(',').append(Double.isNaN(r.value) ? "" : String.valueOf(r.value)).append(',')
                    .append(r.count).append(',').append(r.unit).append('\n');
        return sb.toString();
    }

    String json() {
        StringBuilder sb = new StringBuilder("{\n");
        context.forEach((k, v) -> sb.append("  ").append(quote(k)).append(": ").append(quote(v)).append(",\n"));
        sb.append("  \"metrics\": {");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            sb.append(i == 0 ? "\n" : ",\n").append("    ").append(quote(r.metric)).append(": {\"value\": ")
                    .append(Double.isFinite(r.value) ? String.valueOf(r.value) : "null").append(", \"n\": ").append(r.count)
                    .append(", \"unit\": ").append(quote(r.unit)).append('}');
        }
        return sb.append("\n  }\n}\n").toString();
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }
}
