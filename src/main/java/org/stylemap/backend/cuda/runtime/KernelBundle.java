package org.stylemap.backend.cuda.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * A set of kernel families built by kernels/build.sh into one class-path folder: a fatbin per
 * family (when nvcc was there), one emulator library, and index.properties saying which.
 * {@link #MAIN} holds the product's kernels (kernels/*.cu); tests have their own bundle.
 */
public final class KernelBundle {
    public static final KernelBundle MAIN = new KernelBundle("kernels");

    private final String folder;
    private final Properties index;

    /** The bundle in the class-path folder folder (e.g. "kernels"). */
    public KernelBundle(String folder) {
        this.folder = folder;
        this.index = readIndex(folder);
    }

    public String folder() {
        return folder;
    }

    /** The kernel families (file names of the .cu files without extension). */
    public List<String> families() {
        String list = index == null ? "" : index.getProperty("families", "");
        return list.isEmpty() ? List.of() : Arrays.asList(list.split(","));
    }

    /** Null when the fatbins were built, else why not (one phrase). */
    String fatbinsMissing() {
        if (index == null) return notBuilt();
        if (!"yes".equals(index.getProperty("fatbins"))) return index.getProperty("fatbins.missing", "nvcc did not run");
        return null;
    }

    /** Null when the emulator library was built, else why not. */
    String emulatorMissing() {
        if (index == null) return notBuilt();
        if (emulatorLibrary() == null) return "the emulator library " + index.getProperty("emulator") + " is missing from " + folder + "/";
        return null;
    }

    URL emulatorLibrary() {
        return index == null ? null : resource(index.getProperty("emulator", ""));
    }

    byte[] fatbin(String family) {
        URL url = resource(family + ".fatbin");
        if (url == null) throw new KernelRuntimeException("no fatbin for kernel family " + family + " in " + folder + "/");
        try (InputStream in = url.openStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + url, e);
        }
    }

    void checkFamily(String family) {
        if (!families().contains(family))
            throw new KernelRuntimeException("no kernel family '" + family + "' in " + folder + "/ (built: "
                    + String.join(", ", families()) + ")");
    }

    private String notBuilt() {
        return "no " + folder + "/index.properties on the class path (kernels/build.sh has not run: build with mvn package)";
    }

    private URL resource(String name) {
        return KernelBundle.class.getResource("/" + folder + "/" + name);
    }

    private static Properties readIndex(String folder) {
        URL url = KernelBundle.class.getResource("/" + folder + "/index.properties");
        if (url == null) return null;
        Properties p = new Properties();
        try (InputStream in = url.openStream()) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + url, e);
        }
        return p;
    }

    @Override
    public String toString() {
        return folder + "/";
    }
}
