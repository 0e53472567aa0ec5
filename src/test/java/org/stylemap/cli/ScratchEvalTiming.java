package org.stylemap.cli;

import java.nio.file.*;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.stylemap.data.BuiltinDataset;
import org.stylemap.io.Checkpoint;
import org.stylemap.metrics.InceptionWeights;
import org.stylemap.train.TrainConfig;
import org.stylemap.train.TrainingState;

class ScratchEvalTiming {
    @Test
    void time() throws Exception {
        Path dir = Files.createTempDirectory("ev");
        long t = System.nanoTime();
        Path data = dir.resolve("b16.h5");
        BuiltinDataset.write(data, 16);
        System.out.printf("dataset %.1fs%n", (System.nanoTime() - t) / 1e9); t = System.nanoTime();
        TrainConfig c = TrainConfig.defaults().with(List.of("size=16", "latent_spatial_size=4", "channel_max=8",
                "latent_channel_size=8", "mapping_layer_num=2", "batch=2"));
        Path ckpt = dir.resolve("ckpt-000000.h5");
        Checkpoint.save(TrainingState.fresh(c), ckpt);
        Path weights = dir.resolve("inception.h5");
        InceptionWeights.writeRandom(weights, 1, 3);
        System.out.printf("weights %.1fs%n", (System.nanoTime() - t) / 1e9); t = System.nanoTime();
        for (String m : List.of("fid", "fid", "recon,local_edit,runtime"))  {
            Main.run(new String[] {"eval", "--ckpt", ckpt.toString(), "--dataset", data.toString(), "--n", "4", "--batch", "4",
                "--inception-weights", weights.toString(), "--metrics", m}, System.out, System.err);
            System.out.printf("eval %s %.1fs%n", m, (System.nanoTime() - t) / 1e9); t = System.nanoTime();
        }
    }
}
