package dev.proxima.cuda;

/**
 * A CUDA driver, cuBLAS or NVRTC call returned an error status.
 *
 * <p>The message reads {@code "cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2)"}; compile errors from
 * NVRTC append the program log.
 */
public final class CudaException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The C function that failed, or "" for a failure without a status. */
    private final String call;
    /** The numeric status, or -1 for a failure without a status. */
    private final int code;
    /** The decoded status name, or "" for a failure without a status. */
    private final String errorName;

    /**
     * Creates the exception.
     *
     * @param call      the C function that failed, e.g. {@code "cuMemAlloc_v2"}
     * @param code      the numeric status it returned
     * @param errorName the decoded status name, e.g. {@code "CUDA_ERROR_OUT_OF_MEMORY"}
     * @param detail    extra text (a compile log) or {@code null}
     */
    public CudaException(String call, int code, String errorName, String detail) {
        super(call + " failed: " + errorName + " (" + code + ")" + (detail == null || detail.isBlank() ? "" : "\n" + detail));
        this.call = call;
        this.code = code;
        this.errorName = errorName;
    }

    /**
     * A failure that has no status code (a library that cannot be loaded).
     *
     * @param message what failed and why
     */
    public CudaException(String message) {
        super(message);
        this.call = "";
        this.code = -1;
        this.errorName = "";
    }

    /** {@return the C function that failed} */
    public String call() {
        return call;
    }

    /** {@return the numeric status} */
    public int code() {
        return code;
    }

    /** {@return the decoded status name} */
    public String errorName() {
        return errorName;
    }
}
