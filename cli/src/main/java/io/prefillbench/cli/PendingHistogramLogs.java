package io.prefillbench.cli;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The HdrHistogram interval logs of one prefill run, written next to its results file as each workload
 * finishes. Until the results file is written they describe nothing, so a failed or interrupted run
 * {@link #discard}s them (and any {@code .partial} file) instead of leaving them behind.
 */
final class PendingHistogramLogs {
    private final List<Path> written = new ArrayList<>();

    /** Writes {@code <json base>.<workload>.<mode>.hlog} of host nanoseconds per forward; returns its file name. */
    String write(Path json, String workload, String mode, long[] samples) throws IOException {
        Histogram h = new Histogram(3);
        for (long s : samples) h.recordValue(Math.max(1, s));
        String base = json.getFileName().toString().replaceFirst("\\.json$", "");
        Path file = json.toAbsolutePath().getParent().resolve(base + "." + workload + "." + mode + ".hlog");
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".partial");
        synchronized (written) {
            written.add(tmp);
            written.add(file);
        }
        try (PrintStream ps = new PrintStream(Files.newOutputStream(tmp))) {
            HistogramLogWriter wr = new HistogramLogWriter(ps);
            wr.outputComment("prefillbench " + workload + " " + mode + ": host wall-clock nanoseconds per forward");
            wr.outputLogFormatVersion();
            wr.outputStartTime(System.currentTimeMillis());
            wr.outputLegend();
            wr.outputIntervalHistogram(h);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file.getFileName().toString();
    }

    /** Removes every log written so far; called from the failure path and the shutdown hook, hence synchronized. */
    void discard(PrintWriter err) {
        List<Path> files;
        synchronized (written) {
            files = List.copyOf(written);
            written.clear();
        }
        for (Path p : files) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                err.println("warning: cannot remove " + p + ": " + e.getMessage());
            }
        }
        err.flush();
    }
}
