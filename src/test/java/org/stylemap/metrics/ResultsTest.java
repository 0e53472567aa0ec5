package org.stylemap.metrics;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsTest {
    @Test
    void writesBesideTheCheckpointAndNumbersInsteadOfOverwriting(@TempDir Path dir) throws Exception {
        Path ckpt = dir.resolve("ckpt-000600.h5");
        Results r = new Results();
        r.describe("dataset", "data \"x\".h5");
        r.add("fid", 12.5, 100, "vs 50 train images");
        r.add("lpips", Double.NaN, 10, "val images");
        List<Path> first = r.writeBeside(ckpt);
        assertEquals(List.of(dir.resolve("ckpt-000600.eval.csv"), dir.resolve("ckpt-000600.eval.json")), first);
        assertEquals("metric,value,n,unit\nfid,12.5,100,vs 50 train images\nlpips,,10,val images\n", Files.readString(first.get(0)));
        String json = Files.readString(first.get(1));
        assertTrue(json.contains("\"dataset\": \"data \\\"x\\\".h5\""), json);
        assertTrue(json.contains("\"fid\": {\"value\": 12.5, \"n\": 100"), json);
        assertTrue(json.contains("\"lpips\": {\"value\": null"), json);

        Files.writeString(first.get(0), "kept");
        List<Path> second = r.writeBeside(ckpt);
        assertEquals(dir.resolve("ckpt-000600.eval-2.csv"), second.get(0));
        assertEquals("kept", Files.readString(first.get(0)));
        // a lone JSON from an earlier run also blocks its number
        Files.delete(second.get(0));
        assertEquals(dir.resolve("ckpt-000600.eval-3.json"), r.writeBeside(ckpt).get(1));
    }

    @Test
    void tableShowsEveryRow() {
        Results r = new Results();
        r.add("mse_src", 0.0123456789, 40, "pairs");
        r.add("lpips", Double.NaN, 3, "");
        String t = r.table();
        assertTrue(t.contains("mse_src") && t.contains("0.0123457") && t.contains("n/a"), t);
        assertEquals(3, t.lines().count());
        assertEquals(0.0123456789, r.value("mse_src"));
        assertTrue(Double.isNaN(r.value("fid")));
    }
}
