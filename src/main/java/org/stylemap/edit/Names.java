package org.stylemap.edit;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Output names for a list of inputs: file stems, made unique ("a", "a_2") and safe as HDF5 and file names. */
public final class Names {
    private Names() {}

    public static List<String> unique(List<String> paths) {
        Set<String> used = new HashSet<>();
        List<String> out = new ArrayList<>();
        for (String p : paths) {
            String base = Input.stem(p.substring(p.replace('\\', '/').lastIndexOf('/') + 1)).replaceAll("[^A-Za-z0-9._-]", "_");
            if (base.isEmpty() || base.startsWith(".")) base = "image" + base;
            String name = base;
            for (int k = 2; !used.add(name); k++) name = base + "_" + k;
            out.add(name);
        }
        return out;
    }
}
