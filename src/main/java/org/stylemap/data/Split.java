package org.stylemap.data;

/** The two parts of a prepared dataset; each is an HDF5 group of that name. */
public enum Split {
    TRAIN("train"),
    VAL("val");

    /** The group name in the file. */
    public final String group;

    Split(String group) {
        this.group = group;
    }
}
