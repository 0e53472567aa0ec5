package org.stylemap.edit.web;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylemap.data.ImageFiles;
import org.stylemap.edit.Photos;
import org.stylemap.edit.TinyModels;

/** The editor's HTTP API: it edits, and it refuses what it must (non-images, large uploads, other hosts and origins). */
class EditorServerTest {
    @TempDir static Path dir;
    static EditorServer server;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        server = EditorServer.start(TinyModels.random(1), null, null, dir.resolve("out"), "127.0.0.1", 0, new EditorServer.Limits(20_000, 1_000_000, 2),
                new PrintStream(new ByteArrayOutputStream()));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static byte[] png(long seed) {
        return ImageFiles.encodePng(Photos.image(TinyModels.photo(32, seed)));
    }

    static HttpResponse<byte[]> post(String path, byte[] body, boolean editorHeader) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri().resolve(path)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (editorHeader) b.header("X-Editor", "1");
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpResponse<byte[]> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(server.uri().resolve(path)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String upload(long seed) throws Exception {
        HttpResponse<byte[]> r = post("api/photo", png(seed), true);
        assertEquals(200, r.statusCode(), new String(r.body()));
        String json = new String(r.body(), StandardCharsets.UTF_8);
        return json.replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
    }

    @Test
    void servesThePageAndEditsUploadedPhotos() throws Exception {
        assertTrue(new String(get("").body()).contains("<canvas id=\"mask-canvas\">"));
        assertEquals(200, get("editor.js").statusCode());
        assertEquals("{\"size\":32,\"stylemap\":8,\"channels\":16,\"device\":\"cpu\",\"gallery\":false,\"direction\":null}", new String(get("api/info").body()));
        String a = upload(1), b = upload(2);
        assertEquals(32, ImageFiles.decode(get("api/photo/" + a + "/recon.png").body(), 10_000).width());
        HttpResponse<byte[]> edit = post("api/edit?original=" + a + "&reference=" + b + "&space=w", png(3), true);
        assertEquals(200, edit.statusCode(), new String(edit.body()));
        assertTrue(edit.headers().firstValue("X-Compute-Ms").isPresent());
        assertEquals(32, ImageFiles.decode(edit.body(), 10_000).height());
        assertEquals(200, get("api/interpolate?a=" + a + "&b=" + b + "&t=0.5").statusCode());
        assertEquals(200, get("api/mix?coarse=" + a + "&fine=" + b).statusCode());
        assertEquals(200, get("api/transplant?original=" + a + "&reference=" + b + "&from=0,0&to=2,2&size=3,3").statusCode());
        HttpResponse<byte[]> bad = get("api/transplant?original=" + a + "&reference=" + b + "&from=7,7&to=2,2&size=3,3");
        assertEquals(400, bad.statusCode());
        assertTrue(new String(bad.body()).contains("outside the 8x8 stylemap"));
        assertEquals(409, post("api/direction?photo=" + a + "&alpha=1", new byte[0], true).statusCode());

        // Save writes the last result inside the output folder only, under a fresh name each time.
        HttpResponse<byte[]> saved = post("api/save", new byte[0], true);
        assertEquals("{\"file\":\"edit-0001.png\"}", new String(saved.body()));
        assertEquals("{\"file\":\"edit-0002.png\"}", new String(post("api/save", new byte[0], true).body()));
        try (var files = Files.list(dir.resolve("out"))) {
            assertEquals(2, files.count());
        }
        // The least recently used photo is dropped beyond the limit (2 here).
        upload(4);
        upload(5);
        assertEquals(404, get("api/photo/" + a + "/recon.png").statusCode());
    }

    @Test
    void offersTheGalleryFolderAndNothingOutsideIt() throws Exception {
        Path gallery = dir.resolve("gallery");
        Files.createDirectories(gallery);
        Files.write(gallery.resolve("b.png"), png(2));
        Files.write(gallery.resolve("a.png"), png(1));
        Files.writeString(gallery.resolve("notes.txt"), "not offered");
        Files.writeString(dir.resolve("secret.png"), "outside the gallery");
        try (EditorServer g = EditorServer.start(TinyModels.random(2), null, gallery, dir.resolve("out-g"), "127.0.0.1", 0,
                EditorServer.Limits.defaults(), new PrintStream(new ByteArrayOutputStream()))) {
            HttpClient http = HttpClient.newHttpClient();
            java.util.function.Function<String, HttpResponse<byte[]>> get = p -> {
                try {
                    return http.send(HttpRequest.newBuilder(g.uri().resolve(p)).build(), HttpResponse.BodyHandlers.ofByteArray());
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            };
            assertEquals("{\"images\":[\"a.png\",\"b.png\"]}", new String(get.apply("api/gallery").body()));
            assertArrayEquals(Files.readAllBytes(gallery.resolve("a.png")), get.apply("api/gallery/a.png").body());
            assertEquals(404, get.apply("api/gallery/notes.txt").statusCode());
            assertEquals(404, get.apply("api/gallery/..%2Fsecret.png").statusCode());
            HttpResponse<byte[]> picked = http.send(HttpRequest.newBuilder(g.uri().resolve("api/gallery?name=b.png")).header("X-Editor", "1")
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals("{\"id\":\"p1\"}", new String(picked.body()));
        }
    }

    @Test
    void refusesNonImagesLargeUploadsAndForeignRequests() throws Exception {
        HttpResponse<byte[]> notImage = post("api/photo", "GIF89a but not really".getBytes(), true);
        assertEquals(400, notImage.statusCode());
        assertTrue(new String(notImage.body()).startsWith("not an image") || new String(notImage.body()).startsWith("not a readable image"),
                new String(notImage.body()));
        HttpResponse<byte[]> large = post("api/photo", new byte[30_000], true);
        assertEquals(413, large.statusCode());
        assertTrue(new String(large.body()).contains("20000 bytes"));
        assertEquals(403, post("api/photo", png(1), false).statusCode(), "POST without X-Editor");
        assertEquals(404, get("api/photo/../../etc/passwd").statusCode());
        assertEquals(404, get("secret.txt").statusCode());
        assertEquals(405, get("api/save").statusCode());

        // A request naming another host (DNS rebinding) is refused.
        URI u = server.uri();
        try (Socket s = new Socket(u.getHost(), u.getPort())) {
            OutputStream out = s.getOutputStream();
            out.write(("GET /api/info HTTP/1.1\r\nHost: evil.example:" + u.getPort() + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(response.startsWith("HTTP/1.1 403"), response);
        }
    }
}
