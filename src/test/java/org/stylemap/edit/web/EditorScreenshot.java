package org.stylemap.edit.web;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.stylemap.edit.EditModel;
import org.stylemap.tensor.Device;

/**
 * Makes the screenshot of docs/EDITING.md: the editor on a real checkpoint, two photos uploaded,
 * the left third of the original painted, as the browser test does. Run from the project folder:
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *   -cp "target/test-classes:target/classes:target/lib/*" org.stylemap.edit.web.EditorScreenshot CKPT A.png B.png docs/editor.png
 * </pre>
 */
public final class EditorScreenshot {
    private EditorScreenshot() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 4) throw new IllegalArgumentException("usage: EditorScreenshot CKPT ORIGINAL REFERENCE OUT.png");
        Path chromium = Chromium.binary();
        if (chromium == null) throw new IllegalStateException("no Chromium at /usr/bin/chromium or $STYLEMAP_CHROMIUM");
        Path profile = Files.createTempDirectory("editor-shot");
        EditModel m = EditModel.load(Path.of(args[0]), Device.CPU, System.err::println);
        try (EditorServer server = EditorServer.start(m, null, null, profile.resolve("out"), "127.0.0.1", 0, EditorServer.Limits.defaults(), new PrintStream(System.err));
             Chromium browser = new Chromium(chromium, profile.resolve("profile"), 1100, 640)) {
            EditorPage page = new EditorPage(browser, server.uri());
            page.upload(Path.of(args[1]), Path.of(args[2]));
            page.paintColumns(0, m.size() / 3.0);
            Files.write(Path.of(args[3]), page.screenshot());
            System.out.println("wrote " + args[3] + " (" + page.status() + ")");
        }
    }
}
