package org.stylemap.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * metrics.csv: one row per logged iteration, a column per metric (header written once; a metric
 * that first appears later, such as a validation score, gets a column only if the header allows;
 * so all columns are declared up front). Kept in memory too, for the plot.
 */
public final class MetricsLog {
    private final Path file;
    private final List<String> columns;
    private final String header;
    private final List<Map<String, Double>> rows = new ArrayList<>();

    /** Opens (appending, on resume) or creates the log with the given columns after "iteration". */
    public MetricsLog(Path file, List<String> columns, long resumeFrom) {
        this.file = file;
        this.columns = List.copyOf(columns);
        this.header = "iteration," + String.join(",", columns);
        try {
            if (Files.exists(file) && resumeFrom > 0) readBack(resumeFrom);
            else Files.writeString(file, header + "\n");
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file + ": " + e.getMessage());
        }
    }

    /** Keeps the rows before the resumed iteration (a run may have logged past its last checkpoint). */
    private void readBack(long resumeFrom) throws IOException {
        List<String> lines = Files.readAllLines(file);
        if (lines.isEmpty() || !lines.get(0).equals(header)) {
            Files.writeString(file, header + "\n");
            return;
        }
        StringBuilder kept = new StringBuilder(lines.get(0)).append('\n');
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            if (f.length != columns.size() + 1 || Long.parseLong(f[0]) >= resumeFrom) continue;
            Map<String, Double> row = new LinkedHashMap<>();
            row.put("iteration", Double.parseDouble(f[0]));
            for (int i = 0; i < columns.size(); i++) if (!f[i + 1].isEmpty()) row.put(columns.get(i), Double.parseDouble(f[i + 1]));
            rows.add(row);
            kept.append(line).append('\n');
        }
        Files.writeString(file, kept.toString());
    }

    public void append(long iteration, Map<String, Double> values) {
        Map<String, Double> row = new LinkedHashMap<>();
        row.put("iteration", (double) iteration);
        StringBuilder line = new StringBuilder().append(iteration);
        for (String c : columns) {
            Double v = values.get(c);
            line.append(',');
            if (v != null) {
                line.append(v);
                row.put(c, v);
            }
        }
        rows.add(row);
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardOpenOption.APPEND)) {
            w.write(line.append('\n').toString());
        } catch (IOException e) {
            throw new IllegalStateException("cannot append to " + file + ": " + e.getMessage());
        }
    }

    public List<Map<String, Double>> rows() {
        return List.copyOf(rows);
    }

    public List<String> columns() {
        return columns;
    }
}
