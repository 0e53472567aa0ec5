package org.stylemap.edit.web;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.stylemap.data.ImageFiles;
import org.stylemap.data.RgbImage;

/** The editor page in a browser, driven the way a user drives it: file inputs, mouse strokes on the canvas. */
final class EditorPage {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final Chromium browser;

    EditorPage(Chromium browser, URI page) throws Exception {
        this.browser = browser;
        browser.send("Page.navigate", Map.of("url", page.toString()));
        browser.waitFor("document.body && document.body.dataset.ready === '1'", WAIT);
    }

    /** Picks the two photos in the page's file inputs and waits for the first edit (an empty mask: the reconstruction). */
    void upload(Path original, Path reference) throws Exception {
        browser.setFiles("#original-file", original);
        browser.setFiles("#reference-file", reference);
        browser.waitFor("editorState.original && editorState.reference && Number(document.body.dataset.results || 0) >= 1 && !editorState.busy", WAIT);
    }

    /** Vertical brush strokes over model-pixel columns [x0, x1), top to bottom, with the page's default brush. */
    @SuppressWarnings("unchecked")
    void paintColumns(double x0, double x1) throws Exception {
        Map<String, Object> r = (Map<String, Object>) browser.eval("(() => { const c = document.getElementById('mask-canvas');"
                + " const r = c.getBoundingClientRect(); return {x: r.left, y: r.top, w: r.width, size: c.width}; })()");
        double left = (Double) r.get("x"), top = (Double) r.get("y"), size = (Double) r.get("size"), scale = (Double) r.get("w") / size;
        double step = Math.max(1, size / 32);
        for (double mx = x0 + step / 2; mx < x1; mx += step) {
            browser.mouse("mousePressed", left + mx * scale, top + scale);
            for (double my = step; my < size; my += 2 * step) browser.mouse("mouseMoved", left + mx * scale, top + my * scale);
            browser.mouse("mouseReleased", left + mx * scale, top + (size - 1) * scale);
        }
        browser.waitFor("!editorState.busy && !editorState.pending", WAIT);
    }

    /** Clicks an element at the given fraction of its width (a button's middle, a slider's position), then waits for the new result. */
    @SuppressWarnings("unchecked")
    void click(String id, double fraction) throws Exception {
        int before = ((Double) browser.eval("Number(document.body.dataset.results || 0)")).intValue();
        Map<String, Object> r = (Map<String, Object>) browser.eval("(() => { const e = document.getElementById('" + id + "');"
                + " e.scrollIntoView(); const r = e.getBoundingClientRect(); return {x: r.left, y: r.top, w: r.width, h: r.height}; })()");
        double x = (Double) r.get("x") + fraction * (Double) r.get("w"), y = (Double) r.get("y") + (Double) r.get("h") / 2;
        browser.mouse("mousePressed", x, y);
        browser.mouse("mouseReleased", x, y);
        browser.waitFor("Number(document.body.dataset.results || 0) > " + before + " && !editorState.busy && !editorState.pending", WAIT);
    }

    String status() throws Exception {
        return (String) browser.eval("document.getElementById('status').textContent");
    }

    /** The image the page shows as the result, as decoded from the page's own object URL. */
    RgbImage result() throws Exception {
        String dataUrl = (String) browser.eval("(async () => { const b = await (await fetch(document.getElementById('result').src)).blob();"
                + " return await new Promise((ok) => { const f = new FileReader(); f.onload = () => ok(f.result); f.readAsDataURL(b); }); })()");
        return ImageFiles.decode(Base64.getDecoder().decode(dataUrl.substring(dataUrl.indexOf(',') + 1)), 100_000_000);
    }

    String originalId() throws Exception {
        return (String) browser.eval("editorState.original");
    }

    byte[] screenshot() throws Exception {
        return browser.screenshot();
    }
}
