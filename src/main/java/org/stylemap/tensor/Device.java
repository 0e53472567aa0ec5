package org.stylemap.tensor;

/**
 * Where a tensor's storage lives. {@code cuda-emu} is the CUDA backend running its kernels on the
 * host CUDA emulator (host memory, same kernels and launch path): for tests and machines without a GPU.
 */
public record Device(Kind kind, int index) {
    public enum Kind {
        CPU("cpu"), CUDA("cuda"), CUDA_EMU("cuda-emu");

        public final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    public static final Device CPU = new Device(Kind.CPU, 0);
    public static final Device CUDA_EMU = new Device(Kind.CUDA_EMU, 0);

    public static Device cuda(int index) {
        return new Device(Kind.CUDA, index);
    }

    /** Parses "cpu", "cuda", "cuda:N" or "cuda-emu". */
    public static Device parse(String s) {
        String v = s.trim().toLowerCase();
        switch (v) {
            case "cpu": return CPU;
            case "cuda": return cuda(0);
            case "cuda-emu": return CUDA_EMU;
            default:
                if (v.matches("cuda:[0-9]{1,3}")) return cuda(Integer.parseInt(v.substring(5)));
                throw new IllegalArgumentException("unknown device '" + s + "' (expected cpu, cuda, cuda:N or cuda-emu)");
        }
    }

    @Override
    public String toString() {
        return kind == Kind.CUDA ? "cuda:" + index : kind.label;
    }
}
