package org.stylemap.edit.web;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Headless Chromium driven over the DevTools protocol with the JDK's own HTTP/WebSocket client
 * (no npm, no driver download: CI needs only Debian's chromium package). One page target, its
 * commands sent with the flat session protocol.
 */
final class Chromium implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");

    private final Process process;
    private final WebSocket socket;
    private final Map<Integer, CompletableFuture<Map<String, Object>>> waiting = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final String session;
    private final Path profile;

    /** The browser binary: $STYLEMAP_CHROMIUM, or Debian's /usr/bin/chromium; null when neither exists. */
    static Path binary() {
        String env = System.getenv("STYLEMAP_CHROMIUM");
        Path p = Path.of(env != null ? env : "/usr/bin/chromium");
        return Files.isExecutable(p) ? p : null;
    }

    Chromium(Path binary, Path profile, int width, int height) throws Exception {
        this.profile = profile;
        process = new ProcessBuilder(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
                "--remote-debugging-port=0", "--window-size=" + width + "," + height, "about:blank")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String ws = devtoolsAddress();
            socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(20))
                    .buildAsync(URI.create(ws), new Listener()).get(20, TimeUnit.SECONDS);
            String target = (String) send(null, "Target.createTarget", Map.of("url", "about:blank")).get("targetId");
            session = (String) send(null, "Target.attachToTarget", Map.of("targetId", target, "flatten", true)).get("sessionId");
            send("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** Reads the browser's stderr until it prints its DevTools address (then keeps draining it). */
    private String devtoolsAddress() throws Exception {
        BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream()));
        CompletableFuture<String> found = new CompletableFuture<>();
        StringBuilder seen = new StringBuilder();
        Thread t = new Thread(() -> {
            try {
                for (String line; (line = err.readLine()) != null; ) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) found.complete(m.group(1));
                    else if (!found.isDone() && seen.length() < 4000) seen.append(line).append('\n');
                }
            } catch (IOException e) {
                // The browser exited; the timeout below reports it.
            }
            found.completeExceptionally(new IllegalStateException("chromium exited without a DevTools address:\n" + seen));
        }, "chromium-stderr");
        t.setDaemon(true);
        t.start();
        return found.get(60, TimeUnit.SECONDS);
    }

    /** A command to the page; its result. */
    Map<String, Object> send(String method, Map<String, Object> params) throws Exception {
        return send(session, method, params);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> send(String sessionId, String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<Map<String, Object>> reply = new CompletableFuture<>();
        waiting.put(id, reply);
        Map<String, Object> msg = new java.util.LinkedHashMap<>(Map.of("id", id, "method", method, "params", params));
        if (sessionId != null) msg.put("sessionId", sessionId);
        socket.sendText(MiniJson.write(msg), true).get(20, TimeUnit.SECONDS);
        Map<String, Object> r = reply.get(60, TimeUnit.SECONDS);
        if (r.containsKey("error")) throw new IllegalStateException(method + ": " + r.get("error"));
        return (Map<String, Object>) r.get("result");
    }

    /** Evaluates a JavaScript expression in the page (awaiting a promise), returning its value. */
    @SuppressWarnings("unchecked")
    Object eval(String expression) throws Exception {
        Map<String, Object> r = send("Runtime.evaluate", Map.of("expression", expression, "awaitPromise", true, "returnByValue", true));
        if (r.containsKey("exceptionDetails")) throw new IllegalStateException("page script failed: " + r.get("exceptionDetails"));
        return ((Map<String, Object>) r.get("result")).get("value");
    }

    /** Waits until a page expression is true. */
    void waitFor(String condition, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (!Boolean.TRUE.equals(eval("Boolean(" + condition + ")"))) {
            if (System.nanoTime() > end) throw new AssertionError("timed out waiting for: " + condition);
            Thread.sleep(50);
        }
    }

    /** A mouse event at page coordinates (CSS pixels). */
    void mouse(String type, double x, double y) throws Exception {
        send("Input.dispatchMouseEvent", Map.of("type", type, "x", x, "y", y, "button", "left", "buttons", type.equals("mouseReleased") ? 0 : 1,
                "clickCount", 1));
    }

    /** Sets the files of a file input found by CSS selector, as a user picking them would. */
    @SuppressWarnings("unchecked")
    void setFiles(String selector, Path file) throws Exception {
        Map<String, Object> doc = (Map<String, Object>) send("DOM.getDocument", Map.of()).get("root");
        Object node = send("DOM.querySelector", Map.of("nodeId", doc.get("nodeId"), "selector", selector)).get("nodeId");
        send("DOM.setFileInputFiles", Map.of("files", List.of(file.toAbsolutePath().toString()), "nodeId", node));
    }

    byte[] screenshot() throws Exception {
        return java.util.Base64.getDecoder().decode((String) send("Page.captureScreenshot", Map.of("format", "png")).get("data"));
    }

    @Override
    public void close() {
        if (socket != null) socket.abort();
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // The profile's Singleton* entries are links into /tmp that the browser made: remove the links.
        for (String link : List.of("SingletonSocket", "SingletonLock", "SingletonCookie")) {
            try {
                Files.deleteIfExists(profile.resolve(link));
            } catch (IOException e) {
                // Left for the temporary folder's own cleanup.
            }
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        @SuppressWarnings("unchecked")
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                Map<String, Object> msg = (Map<String, Object>) MiniJson.parse(partial.toString());
                partial.setLength(0);
                if (msg.get("id") instanceof Double id) {
                    CompletableFuture<Map<String, Object>> f = waiting.remove(id.intValue());
                    if (f != null) f.complete(msg);
                }
            }
            ws.request(1);
            return null;
        }
    }
}
