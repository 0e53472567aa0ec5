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
import org.stylemap.io.AtomicFile;

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

    /**
     * Keeps the rows up to the resumed iteration, the checkpoint's own included (it is logged
     * before it is saved); later rows were logged past the checkpoint and will be logged again.
     * Columns are matched by name, so a log written with other columns (an older version) keeps
     * its values under the current header instead of being thrown away. Rewritten atomically.
     */
    private void readBack(long resumeFrom) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<String> old = lines.isEmpty() ? List.of() : List.of(lines.get(0).split(",", -1));
        StringBuilder kept = new StringBuilder(header).append('\n');
        if (!old.isEmpty() && old.get(0).equals("iteration")) {
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split(",", -1);
                if (f.length != old.size()) continue; // a line cut short by a kill
                try {
                    long it = Long.parseLong(f[0]);
                    if (it > resumeFrom) continue;
                    Map<String, Double> values = new LinkedHashMap<>();
                    for (int i = 1; i < f.length; i++) if (!f[i].isEmpty()) values.put(old.get(i), Double.parseDouble(f[i]));
                    kept.append(line(it, values)).append('\n');
                } catch (NumberFormatException e) {
                    // likewise damaged: dropped
                }
            }
        }
        AtomicFile.write(file, tmp -> Files.writeString(tmp, kept.toString()));
    }

    public void append(long iteration, Map<String, Double> values) {
        String line = line(iteration, values);
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardOpenOption.APPEND)) {
            w.write(line + '\n');
        } catch (IOException e) {
            throw new IllegalStateException("cannot append to " + file + ": " + e.getMessage());
        }
    }

    /** Formats a row and keeps it in memory (the current columns only). */
    private String line(long iteration, Map<String, Double> values) {
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
        return line.toString();
    }

    public List<Map<String, Double>> rows() {
        return List.copyOf(rows);
    }

    public List<String> columns() {
        return columns;
    }
}
