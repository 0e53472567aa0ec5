package org.stylemap.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylemap.data.RgbImage;
import org.stylemap.edit.Sampling;
import org.stylemap.model.Generator;
import org.stylemap.model.Init;
import org.stylemap.random.Rng;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;

/** What a run and `generate` write: batched sample grids, metrics kept across resumes. */
class OutputsTest {
    @TempDir Path dir;

    /** Issue 7, item 16: generate works batch by batch (bounded memory) and draws exactly what one pass draws. */
    @Test
    void batchedGridEqualsOnePass() {
        TrainConfig c = TrainConfig.defaults().with(List.of("size=16", "latent_spatial_size=4", "latent_channel_size=8", "mapping_layer_num=2",
                "channel_max=8"));
        Generator g = new Generator(new Init(DType.F32, Device.CPU, new Rng(3)), c.model());
        g.train(false);
        RgbImage[] one = new RgbImage[7], batched = new RgbImage[7];
        Sampling.generate(g, 7, 0.7, 5, DType.F32, Device.CPU, 7, (i, img) -> one[i] = img);
        Sampling.generate(g, 7, 0.7, 5, DType.F32, Device.CPU, 3, (i, img) -> batched[i] = img);
        for (int i = 0; i < 7; i++) assertArrayEquals(one[i].planes(), batched[i].planes(), "image " + i);
    }

    /** A metrics.csv with other columns (an older version) keeps its values by name on resume. */
    @Test
    void resumedMetricsKeepRowsUpToTheCheckpointByColumnName() throws Exception {
        Path f = dir.resolve("metrics.csv");
        Files.writeString(f, "iteration,b,a\n1,0.5,1.5\n2,0.25,\n3,9,9\n4,9,9\n");
        MetricsLog log = new MetricsLog(f, List.of("a", "b", "c"), 2);
        assertEquals(List.of("iteration,a,b,c", "1,1.5,0.5,", "2,,0.25,"), Files.readAllLines(f));
        assertEquals(Map.of("iteration", 2.0, "b", 0.25), log.rows().get(1));
    }
}
