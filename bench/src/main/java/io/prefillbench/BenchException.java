package io.prefillbench;

/**
 * A failure the user can act on: bad input or a missing piece of the environment. The CLI prints
 * only the message (one line, naming the fix) and exits with {@link #exitCode()}; no stack trace.
 */
public class BenchException extends RuntimeException {
    /** Exit code for bad input or an unusable environment. */
    public static final int EXIT_BAD_INPUT = 2;

    private final int exitCode;

    public BenchException(String message) {
        this(message, EXIT_BAD_INPUT, null);
    }

    public BenchException(String message, Throwable cause) {
        this(message, EXIT_BAD_INPUT, cause);
    }

    public BenchException(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
