package org.stylemap.metrics;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylemap.data.BuiltinDataset;
import org.stylemap.data.ImageDataset;
import org.stylemap.data.Split;
import org.stylemap.model.Init;
import org.stylemap.random.Rng;
import org.stylemap.tensor.DType;
import org.stylemap.tensor.Device;

class StatsCacheTest {
    @Test
    void roundTripAndMismatchNamesTheAttribute(@TempDir Path dir) {
        FeatureStats s = new FeatureStats(new double[] {1, 2}, new double[] {1, 0.5, 0.5, 2}, 7);
        StatsCache.Key key = new StatsCache.Key("abc", "pytorch_fid", "d.h5 split=train", 7);
        Path f = dir.resolve("s.h5");
        StatsCache.save(f, s, key);
        FeatureStats back = StatsCache.load(f, key);
        assertArrayEquals(s.mean(), back.mean(), 0);
        assertArrayEquals(s.covariance(), back.covariance(), 0);
        StatsCache.Mismatch m = assertThrows(StatsCache.Mismatch.class,
                () -> StatsCache.load(f, new StatsCache.Key("abc", "stylemapgan", "d.h5 split=train", 7)));
        assertTrue(m.getMessage().contains("preprocess is 'pytorch_fid'"), m.getMessage());
    }

    @Test
    void datasetStatisticsAreCachedAndStaleCachesHandled(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("b16.h5");
        BuiltinDataset.write(data, 16);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        FidInception net = new FidInception(new Init(DType.F32, Device.CPU, new Rng(4)), 16);
        Fid fid = new Fid(net, FidInception.Preprocess.PYTORCH_FID, 3, Device.CPU, new PrintStream(log, true));
        try (ImageDataset d = ImageDataset.open(data)) {
            Path cache = fid.defaultCache(d, Split.TRAIN, 5);
            assertTrue(cache.getFileName().toString().startsWith("b16.fid-train-5-pytorch_fid-" + net.weightsHash().substring(0, 8)));
            FeatureStats first = fid.datasetStats(d, Split.TRAIN, 5, cache, true);
            assertTrue(Files.exists(cache));
            assertEquals(5, first.count());
            // the cached statistics are the ones computed, and the images' own FID against them is 0
            FeatureStats again = fid.datasetStats(d, Split.TRAIN, 5, cache, true);
            assertTrue(log.toString().contains("dataset statistics from " + cache), log.toString());
            assertArrayEquals(first.covariance(), again.covariance(), 0);
            double self = fid.distance("self", 5, Fid.dataset(d, Split.TRAIN, DType.F32, Device.CPU), again);
            assertEquals(0, self, 1e-6 * java.util.Arrays.stream(first.mean()).map(v -> v * v).sum());

            // A cache of another image count: the default path replaces it (and says so), a named file is refused.
            Path named = dir.resolve("named.h5");
            StatsCache.save(named, first, new StatsCache.Key(net.weightsHash(), "pytorch_fid", Fid.source(d, Split.TRAIN), 4));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fid.datasetStats(d, Split.TRAIN, 5, named, false));
            assertTrue(e.getMessage().contains("count is '4'"), e.getMessage());
            fid.datasetStats(d, Split.TRAIN, 5, named, true);
            assertTrue(log.toString().contains("replacing the stale statistics cache"), log.toString());
            assertEquals(5, StatsCache.load(named, new StatsCache.Key(net.weightsHash(), "pytorch_fid", Fid.source(d, Split.TRAIN), 5)).count());
        }
    }
}
