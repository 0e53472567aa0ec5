package org.stylemap.edit;

import java.nio.file.Path;
import java.util.List;
import org.stylemap.data.ImageDataset;
import org.stylemap.data.ImageFiles;
import org.stylemap.data.Preparer;
import org.stylemap.data.RgbImage;
import org.stylemap.data.Split;

/** A numbered set of photos: the image files of a folder (walked, sorted) or one split of a prepared dataset. */
public interface PhotoSet extends AutoCloseable {
    int count();

    /** The photo's name: its path relative to the folder, or the name `prepare` stored. */
    String name(int i);

    RgbImage image(int i);

    @Override
    default void close() {}

    /** The PNG and JPEG files under dir, by relative path. */
    static PhotoSet folder(Path dir) {
        List<String> files = Preparer.list(dir).stream().filter(ImageFiles::hasImageExtension).toList();
        if (files.isEmpty()) throw new IllegalArgumentException(dir + ": no .png/.jpg/.jpeg files");
        return new PhotoSet() {
            public int count() { return files.size(); }
            public String name(int i) { return files.get(i); }
            public RgbImage image(int i) { return Photos.read(dir.resolve(files.get(i))); }
        };
    }

    /** A split of a prepared dataset whose images must have the model's size. */
    static PhotoSet dataset(Path file, Split split, int size) {
        ImageDataset d = ImageDataset.open(file, size);
        return new PhotoSet() {
            public int count() { return d.count(split); }
            public String name(int i) { return d.name(split, i); }
            public RgbImage image(int i) { return d.image(split, i); }
            public void close() { d.close(); }
        };
    }
}
