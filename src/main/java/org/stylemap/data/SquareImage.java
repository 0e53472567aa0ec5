package org.stylemap.data;

/**
 * A photo made square (center crop, or the whole photo) and resized to the side the model or the
 * dataset needs, with a note when the square was smaller than that side: such a photo is enlarged
 * and blurry, or, like a 2000x20 strip, hardly a photo at all, and the user should hear of it.
 *
 * @param image    size x size
 * @param upscaled null, or the photo's and the square's sizes in words ("40x30, centre square 30x30")
 */
public record SquareImage(RgbImage image, String upscaled) {
    public static SquareImage of(RgbImage photo, Preparer.Crop crop, int size) {
        RgbImage sq = crop == Preparer.Crop.CENTER ? photo.centerCropSquare() : photo;
        String note = null;
        if (Math.min(sq.width(), sq.height()) < size)
            note = photo.width() + "x" + photo.height() + (sq == photo ? "" : ", centre square " + sq.width() + "x" + sq.height());
        return new SquareImage(Resampler.resize(sq, size, size), note);
    }
}
