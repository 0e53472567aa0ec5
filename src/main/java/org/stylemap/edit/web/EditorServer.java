package org.stylemap.edit.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.stylemap.autograd.GradMode;
import org.stylemap.data.ImageFiles;
import org.stylemap.data.RgbImage;
import org.stylemap.edit.Direction;
import org.stylemap.edit.EditModel;
import org.stylemap.edit.Latent;
import org.stylemap.edit.LocalEdit;
import org.stylemap.edit.Masks;
import org.stylemap.edit.Mixing;
import org.stylemap.edit.Photos;
import org.stylemap.edit.Space;
import org.stylemap.edit.Transplant;
import org.stylemap.io.AtomicFile;
import org.stylemap.memory.Scope;
import org.stylemap.tensor.Tensor;

/**
 * The interactive editor: a local web server (the JDK's HttpServer) with one page from the jar's
 * resources (plain HTML/JS, no build step, nothing fetched from elsewhere) and a small HTTP API
 * over the edit library. Photos are uploaded, encoded once (their resizer maps kept for w_plus),
 * and held in memory; every edit then costs one decoder pass.
 * <p>
 * Safety: it listens on the given host (127.0.0.1 by default); requests whose Host header names
 * another server are refused (DNS rebinding), POSTs must carry the header X-Editor (so a page of
 * another origin cannot send them without a CORS preflight, which is never granted); uploads over
 * the byte or pixel limit, or that are not images, are refused; the only file it writes is a saved
 * result, under a name it chooses, inside its output folder.
 * <p>
 * One worker thread serves every request: the model and the autograd scopes are single-threaded.
 */
public final class EditorServer implements AutoCloseable {
    /** Upload limits and how many photos are kept (least recently used ones are dropped). */
    public record Limits(long maxUploadBytes, long maxPixels, int maxPhotos) {
        /** 10 MB uploads (the official demo's MAX_CONTENT_LENGTH), 40 megapixels, 64 photos. */
        public static Limits defaults() {
            return new Limits(10_000_000, 40_000_000, 64);
        }
    }

    private static final String RESOURCES = "/org/stylemap/edit/web/";
    /** At most this many gallery photos are listed. */
    private static final int MAX_GALLERY = 200;
    private static final Map<String, String> STATIC = Map.of("/", "index.html", "/index.html", "index.html",
            "/editor.js", "editor.js", "/editor.css", "editor.css");

    private final EditModel model;
    private final Direction direction;
    private final Path gallery;
    private final Path outDir;
    private final Limits limits;
    private final PrintStream log;
    private final HttpServer http;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "editor");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Photo> photos;
    private int nextId = 1;
    private byte[] lastResult;

    /** An uploaded photo: its tensor, its latent (with the resizer maps) and the PNGs the page shows. */
    private record Photo(Tensor image, Latent latent, byte[] photoPng, byte[] reconPng) {}

    private EditorServer(EditModel model, Direction direction, Path gallery, Path outDir, Limits limits, PrintStream log, InetSocketAddress at)
            throws IOException {
        this.model = model;
        this.direction = direction;
        this.gallery = gallery;
        this.outDir = outDir.toAbsolutePath().normalize();
        this.limits = limits;
        this.log = log;
        this.photos = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Photo> eldest) {
                return size() > limits.maxPhotos();
            }
        };
        http = HttpServer.create(at, 0);
        http.setExecutor(worker);
        http.createContext("/", this::handle);
    }

    /**
     * Starts serving on host:port (port 0: any free port). direction (a slider) and gallery (a folder
     * of photos the page offers to pick) may be null.
     */
    public static EditorServer start(EditModel model, Direction direction, Path gallery, Path outDir, String host, int port, Limits limits,
                                     PrintStream log) {
        if (gallery != null && !Files.isDirectory(gallery)) throw new IllegalArgumentException(gallery + ": no such folder");
        try {
            EditorServer s = new EditorServer(model, direction, gallery, outDir, limits, log, new InetSocketAddress(InetAddress.getByName(host), port));
            s.http.start();
            return s;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot listen on " + host + ":" + port + " (" + e.getMessage() + ")");
        }
    }

    /** The page's address. */
    public URI uri() {
        InetSocketAddress a = http.getAddress();
        String host = a.getAddress().isLoopbackAddress() ? "127.0.0.1" : a.getHostString();
        return URI.create("http://" + host + ":" + a.getPort() + "/");
    }

    @Override
    public void close() {
        http.stop(0);
        worker.shutdownNow();
    }

    /** A refusal with its HTTP status and a one-line reason for the page. */
    private static final class Refusal extends RuntimeException {
        final int status;

        Refusal(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            try {
                checkHost(ex);
                String path = ex.getRequestURI().getPath();
                String res = STATIC.get(path);
                if (res != null) {
                    requireMethod(ex, "GET");
                    send(ex, 200, contentType(res), resource(res));
                } else if (path.startsWith("/api/")) {
                    api(ex, path.substring(5), query(ex.getRequestURI().getRawQuery()));
                } else {
                    throw new Refusal(404, "no such page: " + path);
                }
            } catch (Refusal r) {
                sendText(ex, r.status, r.getMessage());
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                sendText(ex, 400, e.getMessage());
            } catch (RuntimeException e) {
                log.println("[serve] " + ex.getRequestURI().getPath() + ": " + e);
                sendText(ex, 500, "internal error: " + e);
            }
        }
    }

    private void api(HttpExchange ex, String call, Map<String, String> q) throws IOException {
        if (call.equals("info")) {
            requireMethod(ex, "GET");
            var c = model.config();
            sendJson(ex, "{\"size\":" + c.size() + ",\"stylemap\":" + c.latentSpatialSize() + ",\"channels\":" + c.latentChannelSize()
                    + ",\"device\":" + Json.str(model.device().toString()) + ",\"gallery\":" + (gallery != null) + ",\"direction\":"
                    + (direction == null ? "null" : Json.str(direction.attribute().isEmpty() ? "direction" : direction.attribute())) + "}");
            return;
        }
        if (call.equals("gallery") && ex.getRequestMethod().equals("GET")) {
            sendJson(ex, "{\"images\":[" + String.join(",", galleryNames().stream().map(Json::str).toList()) + "]}");
            return;
        }
        if (call.startsWith("gallery/")) {
            requireMethod(ex, "GET");
            send(ex, 200, "application/octet-stream", Files.readAllBytes(galleryFile(call.substring(8))));
            return;
        }
        if (call.startsWith("photo/")) {
            requireMethod(ex, "GET");
            String[] parts = call.split("/");
            if (parts.length != 3 || !(parts[2].equals("photo.png") || parts[2].equals("recon.png"))) throw new Refusal(404, "no such image: " + call);
            Photo p = photo(parts[1]);
            send(ex, 200, "image/png", parts[2].equals("photo.png") ? p.photoPng() : p.reconPng());
            return;
        }
        if (READ_ONLY.contains(call)) {
            requireMethod(ex, "GET");
            result(ex, call, q, new byte[0]);
            return;
        }
        requireMethod(ex, "POST");
        if (ex.getRequestHeaders().getFirst("X-Editor") == null)
            throw new Refusal(403, "requests must come from the editor page (header X-Editor missing)");
        byte[] body = body(ex);
        switch (call) {
            case "photo" -> sendJson(ex, "{\"id\":" + Json.str(upload(body)) + "}");
            case "gallery" -> sendJson(ex, "{\"id\":" + Json.str(upload(Files.readAllBytes(galleryFile(param(q, "name"))))) + "}");
            case "save" -> sendJson(ex, "{\"file\":" + Json.str(save()) + "}");
            default -> result(ex, call, q, body);
        }
    }

    /** Calls that only read photos already uploaded: plain GETs with their parameters in the query. */
    private static final java.util.Set<String> READ_ONLY = java.util.Set.of("mix", "interpolate", "transplant");

    /** The image-producing calls: each answers a PNG and remembers it for "save". */
    private void result(HttpExchange ex, String call, Map<String, String> q, byte[] body) throws IOException {
        long t0 = System.nanoTime();
        byte[] png;
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            Tensor image = switch (call) {
                case "edit" -> {
                    Photo o = photo(param(q, "original")), r = photo(param(q, "reference"));
                    Space space = Space.parse(q.getOrDefault("space", "w_plus"));
                    yield LocalEdit.apply(model.g(), o.latent(), List.of(new LocalEdit.Pair(r.latent(), mask(body))), space, 1);
                }
                case "mix" -> Mixing.styleMix(model.g(), photo(param(q, "coarse")).latent(), photo(param(q, "fine")).latent());
                case "interpolate" -> Mixing.interpolate(model.g(), photo(param(q, "a")).latent(), photo(param(q, "b")).latent(), number(q, "t"));
                case "transplant" -> model.g().synthesize(Transplant.apply(photo(param(q, "original")).latent().stylemap(),
                        photo(param(q, "reference")).latent().stylemap(), List.of(Transplant.Move.parse(param(q, "from"), param(q, "to"), param(q, "size")))));
                case "direction" -> {
                    if (direction == null) throw new Refusal(409, "no direction loaded (start serve with --direction FILE)");
                    yield direction.apply(model.g(), photo(param(q, "photo")).latent(), number(q, "alpha"), body.length == 0 ? null : mask(body));
                }
                default -> throw new Refusal(404, "no such call: " + call);
            };
            png = ImageFiles.encodePng(Photos.image(image));
        }
        lastResult = png;
        ex.getResponseHeaders().set("X-Compute-Ms", String.format("%.1f", (System.nanoTime() - t0) / 1e6));
        send(ex, 200, "image/png", png);
    }

    /** Decodes, encodes and keeps an uploaded photo; its id. */
    private String upload(byte[] body) {
        RgbImage img = ImageFiles.decode(body, limits.maxPixels());
        Photo p;
        try (Scope s = Scope.open(); GradMode off = GradMode.off()) {
            Tensor t = model.photo(img, "the uploaded photo");
            Latent latent = model.encode(t).withLayers(model.g());
            byte[] recon = ImageFiles.encodePng(Photos.image(model.decode(latent)));
            // Kept beyond this request: moved out of every scope.
            Scope.keep(t);
            for (Tensor k : latent.tensors()) Scope.keep(k);
            p = new Photo(t, latent, ImageFiles.encodePng(Photos.image(t)), recon);
        }
        String id = "p" + nextId++;
        photos.put(id, p);
        return id;
    }

    /** The photos the gallery offers: image files directly in its folder, sorted (none without a gallery). */
    private List<String> galleryNames() {
        if (gallery == null) return List.of();
        try (var files = Files.list(gallery)) {
            return files.filter(Files::isRegularFile).map(f -> f.getFileName().toString()).filter(ImageFiles::hasImageExtension).sorted()
                    .limit(MAX_GALLERY).toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list the gallery " + gallery + ": " + e.getMessage());
        }
    }

    /** A gallery file by name: only names of its listing are served, so no path leads outside the folder. */
    private Path galleryFile(String name) {
        if (!galleryNames().contains(name)) throw new Refusal(404, "no gallery photo '" + name + "'");
        Path f = gallery.resolve(name);
        try {
            if (Files.size(f) > limits.maxUploadBytes()) throw tooLarge();
        } catch (IOException e) {
            throw new Refusal(404, "cannot read gallery photo '" + name + "'");
        }
        return f;
    }

    /** Writes the last result as OUT/edit-NNNN.png (a name not yet taken); never anything else, never elsewhere. */
    private String save() {
        if (lastResult == null) throw new Refusal(409, "nothing to save yet");
        for (int n = 1; n < 100_000; n++) {
            Path f = outDir.resolve(String.format("edit-%04d.png", n));
            if (Files.exists(f)) continue;
            byte[] png = lastResult;
            AtomicFile.write(f, tmp -> Files.write(tmp, png));
            log.println("[serve] saved " + f);
            return f.getFileName().toString();
        }
        throw new Refusal(507, "the output folder holds too many saved edits");
    }

    private Tensor mask(byte[] png) {
        if (png.length == 0) throw new IllegalArgumentException("the request needs the mask as a PNG body");
        return Masks.of(ImageFiles.decode(png, limits.maxPixels()), model.size(), model.dtype(), model.device());
    }

    private Photo photo(String id) {
        Photo p = photos.get(id);
        if (p == null) throw new Refusal(404, "no photo '" + id + "' (upload it again: the server keeps the last " + limits.maxPhotos() + ")");
        return p;
    }

    private static String param(Map<String, String> q, String name) {
        String v = q.get(name);
        if (v == null) throw new IllegalArgumentException("missing parameter '" + name + "'");
        return v;
    }

    private static double number(Map<String, String> q, String name) {
        try {
            double v = Double.parseDouble(param(q, name));
            if (!Double.isFinite(v)) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("parameter '" + name + "' needs a number, got '" + q.get(name) + "'");
        }
    }

    /** Refuses a Host header that names another server: a page of another origin must not reach this one by DNS rebinding. */
    private void checkHost(HttpExchange ex) {
        String host = ex.getRequestHeaders().getFirst("Host");
        InetSocketAddress a = http.getAddress();
        if (!a.getAddress().isLoopbackAddress()) return;
        int port = a.getPort();
        if (host == null || !(host.equals("127.0.0.1:" + port) || host.equals("localhost:" + port) || host.equals("[::1]:" + port)))
            throw new Refusal(403, "this editor answers only to 127.0.0.1:" + port + " and localhost:" + port);
    }

    private static void requireMethod(HttpExchange ex, String method) {
        if (!ex.getRequestMethod().equals(method)) throw new Refusal(405, ex.getRequestURI().getPath() + " takes " + method);
    }

    /** The request body, refused when it is larger than the upload limit (before it is read, when the length is declared). */
    private byte[] body(HttpExchange ex) throws IOException {
        String declared = ex.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > limits.maxUploadBytes()) throw tooLarge();
            } catch (NumberFormatException e) {
                throw new Refusal(400, "bad Content-Length");
            }
        }
        try (InputStream in = ex.getRequestBody()) {
            byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limits.maxUploadBytes() + 1));
            if (b.length > limits.maxUploadBytes()) throw tooLarge();
            return b;
        }
    }

    private Refusal tooLarge() {
        return new Refusal(413, "upload larger than the limit of " + limits.maxUploadBytes() + " bytes");
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) return out;
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
            out.put(k, eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = EditorServer.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) throw new IllegalStateException("resource " + name + " missing from the jar");
            return in.readAllBytes();
        }
    }

    private static String contentType(String name) {
        if (name.endsWith(".html")) return "text/html; charset=utf-8";
        if (name.endsWith(".js")) return "text/javascript; charset=utf-8";
        return "text/css; charset=utf-8";
    }

    private static void sendJson(HttpExchange ex, String json) throws IOException {
        send(ex, 200, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    private static void sendText(HttpExchange ex, int status, String text) throws IOException {
        send(ex, status, "text/plain; charset=utf-8", String.valueOf(text).getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
