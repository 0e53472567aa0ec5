package org.stylemap.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.stylemap.data.ImageFiles;
import org.stylemap.io.AtomicFile;
import java.util.List;
import java.util.Map;

/** Draws the metrics as one small line chart per metric (shared iteration axis) into a PNG. */
public final class LossPlot {
    private static final int W = 360, H = 200, COLS = 3;
    private static final Color[] PALETTE = {new Color(31, 119, 180), new Color(214, 39, 40), new Color(44, 160, 44),
            new Color(148, 103, 189), new Color(255, 127, 14), new Color(23, 190, 207)};

    private LossPlot() {}

    /** One panel per metric that has a value in some row (a loss switched off, e.g. LPIPS, gets no empty panel). */
    public static void write(Path png, List<String> columns, List<Map<String, Double>> rows) {
        List<String> metrics = columns.stream().filter(m -> rows.stream().anyMatch(r -> r.get(m) != null)).toList();
        int panels = metrics.size(), gridRows = (panels + COLS - 1) / COLS;
        BufferedImage img = new BufferedImage(COLS * W, Math.max(1, gridRows) * H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int p = 0; p < panels; p++) panel(g, (p % COLS) * W, (p / COLS) * H, metrics.get(p), rows, PALETTE[p % PALETTE.length]);
        g.dispose();
        AtomicFile.write(png, tmp -> ImageFiles.writePng(img, tmp));
    }

    private static void panel(Graphics2D g, int x0, int y0, String metric, List<Map<String, Double>> rows, Color color) {
        int left = x0 + 52, right = x0 + W - 10, top = y0 + 22, bottom = y0 + H - 24;
        double xmin = Double.MAX_VALUE, xmax = -Double.MAX_VALUE, ymin = Double.MAX_VALUE, ymax = -Double.MAX_VALUE;
        int n = 0;
        for (Map<String, Double> r : rows) {
            Double v = r.get(metric);
            if (v == null || !Double.isFinite(v)) continue;
            double it = r.get("iteration");
            xmin = Math.min(xmin, it); xmax = Math.max(xmax, it);
            ymin = Math.min(ymin, v); ymax = Math.max(ymax, v);
            n++;
        }
        g.setColor(Color.DARK_GRAY);
        g.drawString(metric, x0 + 52, y0 + 15);
        g.setColor(new Color(200, 200, 200));
        g.drawRect(left, top, right - left, bottom - top);
        if (n == 0) return;
        if (xmax == xmin) xmax = xmin + 1;
        if (ymax == ymin) { ymax += Math.abs(ymax) * 0.05 + 1e-12; ymin -= Math.abs(ymin) * 0.05 + 1e-12; }
        g.setColor(Color.DARK_GRAY);
        g.drawString(String.format("%.3g", ymax), x0 + 2, top + 10);
        g.drawString(String.format("%.3g", ymin), x0 + 2, bottom);
        g.drawString(String.format("%.0f", xmin), left, bottom + 14);
        String xm = String.format("%.0f", xmax);
        g.drawString(xm, right - g.getFontMetrics().stringWidth(xm), bottom + 14);
        g.setColor(color);
        g.setStroke(new BasicStroke(1.3f));
        int px = -1, py = -1;
        for (Map<String, Double> r : rows) {
            Double v = r.get(metric);
            if (v == null || !Double.isFinite(v)) continue;
            int x = left + (int) Math.round((r.get("iteration") - xmin) / (xmax - xmin) * (right - left));
            int y = bottom - (int) Math.round((v - ymin) / (ymax - ymin) * (bottom - top));
            if (px >= 0) g.drawLine(px, py, x, y);
            else g.fillOval(x - 1, y - 1, 3, 3);
            px = x;
            py = y;
        }
    }
}
