package org.stylemap.edit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binary attribute labels from a CSV file: a header row "file,ATTR1,ATTR2,...", then one row per
 * photo, its name (relative to the photo folder, or as `prepare` stored it) and one value per
 * attribute: 1 / 0, 1 / -1 (CelebA's convention) or true / false.
 */
public record Labels(String attribute, Map<String, Boolean> values) {
    /** The labels of one attribute (null: the only attribute column), by photo name. */
    public static Labels read(Path csv, String attribute) {
        List<String> lines;
        try {
            lines = Files.readAllLines(csv);
        } catch (IOException e) {
            throw new IllegalArgumentException(csv + ": cannot read (" + e.getMessage() + ")");
        }
        lines = lines.stream().filter(l -> !l.isBlank()).toList();
        if (lines.isEmpty()) throw new IllegalArgumentException(csv + ": empty (expected a header row file,ATTRIBUTE,...)");
        List<String> header = Arrays.stream(lines.getFirst().split(",", -1)).map(String::strip).toList();
        if (header.size() < 2) throw new IllegalArgumentException(csv + ": the header needs a file column and at least one attribute, got '" + lines.getFirst() + "'");
        int col;
        if (attribute == null) {
            if (header.size() != 2)
                throw new IllegalArgumentException(csv + ": has attributes " + header.subList(1, header.size()) + "; choose one with --attribute");
            col = 1;
        } else {
            col = header.subList(1, header.size()).indexOf(attribute) + 1;
            if (col == 0) throw new IllegalArgumentException(csv + ": no attribute '" + attribute + "' (it has " + header.subList(1, header.size()) + ")");
        }
        Map<String, Boolean> out = new LinkedHashMap<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] cells = lines.get(i).split(",", -1);
            if (cells.length != header.size())
                throw new IllegalArgumentException(csv + ":" + (i + 1) + ": " + cells.length + " fields, the header has " + header.size());
            String name = cells[0].strip();
            if (out.put(name, value(cells[col].strip(), csv, i + 1)) != null)
                throw new IllegalArgumentException(csv + ":" + (i + 1) + ": '" + name + "' is listed twice");
        }
        return new Labels(header.get(col), out);
    }

    private static boolean value(String v, Path csv, int line) {
        return switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "1", "true" -> true;
            case "0", "-1", "false" -> false;
            default -> throw new IllegalArgumentException(csv + ":" + line + ": label '" + v + "' is not binary (1/0, 1/-1 or true/false)");
        };
    }
}
