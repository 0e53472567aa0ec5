package org.stylemap.edit.web;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylemap.data.ImageFiles;
import org.stylemap.data.RgbImage;
import org.stylemap.edit.Photos;
import org.stylemap.edit.TinyModels;

/**
 * The editor in a real browser: headless Chromium loads the page, two photos are uploaded through
 * its file inputs, a mask is painted with mouse strokes on its canvas, and the image the page
 * shows must have changed inside the painted region and little far from it; the style-mix button
 * and the interpolation slider must bring their results. A screenshot of the page is written to
 * target/editor.png (the one in docs/ comes from {@link EditorScreenshot} on a trained checkpoint).
 * Without a browser the test is skipped, unless STYLEMAP_REQUIRE_BROWSER=1 (CI) makes that a failure.
 */
class BrowserEditorTest {
    @TempDir Path dir;

    @Test
    void paintingAMaskOnThePageEditsThePhotoThere() throws Exception {
        Path chromium = Chromium.binary();
        if (chromium == null) {
            assertNotEquals("1", System.getenv("STYLEMAP_REQUIRE_BROWSER"), "no Chromium at /usr/bin/chromium or $STYLEMAP_CHROMIUM");
            Assumptions.abort("no Chromium (apt-get install chromium, or set STYLEMAP_CHROMIUM)");
        }
        Path a = dir.resolve("a.png"), b = dir.resolve("b.png");
        Files.write(a, ImageFiles.encodePng(Photos.image(TinyModels.photo(32, 10))));
        Files.write(b, ImageFiles.encodePng(Photos.image(TinyModels.photo(32, 20))));
        try (EditorServer server = EditorServer.start(TinyModels.random(1), null, null, dir.resolve("out"), "127.0.0.1", 0,
                EditorServer.Limits.defaults(), new PrintStream(new ByteArrayOutputStream()));
             Chromium browser = new Chromium(chromium, dir.resolve("profile"), 1100, 760)) {
            EditorPage page = new EditorPage(browser, server.uri());
            page.upload(a, b);
            page.paintColumns(0, 10); // the left third of the original's 32 model pixels
            assertTrue(page.status().contains("ms on the server"), page.status());
            RgbImage shown = page.result();
            byte[] reconPng = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.uri().resolve("api/photo/" + page.originalId() + "/recon.png"))
                    .build(), HttpResponse.BodyHandlers.ofByteArray()).body();
            RgbImage recon = ImageFiles.decode(reconPng, 1_000_000);
            double inside = meanAbsDiff(shown, recon, 0, 8), far = meanAbsDiff(shown, recon, 22, 32);
            assertTrue(inside > 20, "the painted region barely changed: " + inside + " (0..255)");
            assertTrue(inside > 4 * far, "inside " + inside + " vs far outside " + far);

            Path shot = Path.of("target/editor.png");
            Files.createDirectories(shot.toAbsolutePath().getParent());
            Files.write(shot, page.screenshot());

            // The other controls reach the server too: a style-mix button, the interpolation slider.
            page.click("mix-coarse", 0.5);
            assertTrue(page.status().startsWith("style mix"), page.status());
            page.click("interp", 0.8);
            assertTrue(page.status().startsWith("interpolation"), page.status());
        }
    }

    /** Mean |a - b| over columns [x0, x1) of every row and channel, in 0..255. */
    private static double meanAbsDiff(RgbImage a, RgbImage b, int x0, int x1) {
        double s = 0;
        int n = 0;
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < a.height(); y++)
                for (int x = x0; x < x1; x++) {
                    s += Math.abs(a.get(c, x, y) - b.get(c, x, y));
                    n++;
                }
        return s / n;
    }
}
