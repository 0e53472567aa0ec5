package org.stylemap.tensor;

/**
 * Element types. float32 runs everywhere; float64 exists on the CPU for gradient checks and
 * exact parity with the float64 reference fixtures. Half types (bf16/fp16 storage on the GPU)
 * will join here as further constants; code that switches on DType must handle every constant.
 */
public enum DType {
    F32(4, "float32"),
    F64(8, "float64");

    public final int bytes;
    public final String label;

    DType(int bytes, String label) {
        this.bytes = bytes;
        this.label = label;
    }

    /** Parses "f32"/"float32"/"f64"/"float64". */
    public static DType parse(String s) {
        return switch (s.toLowerCase()) {
            case "f32", "float32", "float" -> F32;
            case "f64", "float64", "double" -> F64;
            default -> throw new IllegalArgumentException("unknown dtype '" + s + "' (expected f32 or f64)");
        };
    }
}
