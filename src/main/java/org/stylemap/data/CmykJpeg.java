package org.stylemap.data;

import java.awt.image.Raster;
import java.io.IOException;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Four-channel (CMYK and YCCK) JPEGs, as print workflows and Photoshop save them. ImageIO decodes
 * them through their embedded print profile and gives washed-out colours; PIL, whose conversion
 * the reference pipeline uses, converts without a profile: with Adobe's APP14 marker the stored
 * samples are inverted (255 = no ink), so R = C' * K' / 255 (likewise G from M', B from Y'); without
 * it, R = (255 - C) * (255 - K) / 255. A YCCK file (APP14 transform 2) first turns its Y, Cb, Cr into
 * C', M', Y' as libjpeg does: 255 minus the JFIF YCbCr-to-RGB conversion.
 */
final class CmykJpeg {
    private static final String FORMAT = "javax_imageio_jpeg_image_1.0";
    /** APP14 transform values. */
    private static final int TRANSFORM_YCCK = 2;

    private CmykJpeg() {}

    /** Whether the reader holds a JPEG with four components. */
    static boolean applies(ImageReader reader) throws IOException {
        return reader.getOriginatingProvider().getFormatNames()[0].equalsIgnoreCase("jpeg")
                && "4".equals(attribute(reader.getImageMetadata(0), "sof", "numFrameComponents"));
    }

    static RgbImage decode(ImageReader reader) throws IOException {
        IIOMetadata md = reader.getImageMetadata(0);
        String transform = attribute(md, "app14Adobe", "transform");
        boolean adobe = transform != null, ycck = adobe && Integer.parseInt(transform) == TRANSFORM_YCCK;
        Raster r = reader.readRaster(0, null); // the stored samples, no colour conversion
        int w = r.getWidth(), h = r.getHeight();
        float[] p = new float[3 * w * h];
        int[] px = new int[4];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                r.getPixel(r.getMinX() + x, r.getMinY() + y, px);
                if (ycck) yccToInvertedCmy(px);
                for (int c = 0; c < 3; c++)
                    p[(c * h + y) * w + x] = adobe ? px[c] * px[3] / 255f : (255 - px[c]) * (255 - px[3]) / 255f;
            }
        return new RgbImage(w, h, p);
    }

    /** Y, Cb, Cr in px[0..2] to 255 - (R, G, B), rounded and clamped as libjpeg's ycck_cmyk_convert does. */
    private static void yccToInvertedCmy(int[] px) {
        double yy = px[0], cb = px[1] - 128, cr = px[2] - 128;
        double[] rgb = {yy + 1.402 * cr, yy - 0.344136 * cb - 0.714136 * cr, yy + 1.772 * cb};
        for (int c = 0; c < 3; c++) px[c] = 255 - (int) Math.max(0, Math.min(255, Math.round(rgb[c])));
    }

    /** An attribute of the first element with that name in the JPEG metadata tree, or null. */
    private static String attribute(IIOMetadata md, String element, String attribute) {
        if (md == null || !java.util.Arrays.asList(md.getMetadataFormatNames()).contains(FORMAT)) return null;
        NodeList nodes = ((Element) md.getAsTree(FORMAT)).getElementsByTagName(element);
        if (nodes.getLength() == 0) return null;
        String v = ((Element) nodes.item(0)).getAttribute(attribute);
        return v.isEmpty() ? null : v;
    }
}
