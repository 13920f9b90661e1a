package io.prefillbench.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A prefill run that fails after some workloads were timed must leave none of their .hlog files behind. */
class PendingHistogramLogsTest {
    @TempDir
    Path dir;

    @Test
    void discardRemovesEveryLogWrittenAndNothingElse() throws IOException {
        Path other = Files.writeString(dir.resolve("earlier-run.json"), "{}");
        Path json = dir.resolve("prefill-x.json");
        PendingHistogramLogs logs = new PendingHistogramLogs();
        assertEquals("prefill-x.short.eager.hlog", logs.write(json, "short", "eager", new long[] {1_000_000, 2_000_000}));
        logs.write(json, "short", "graph", new long[] {900_000});
        // a crash inside write leaves its .partial: planted here as the file write() would have been writing
        logs.write(json, "long", "eager", new long[] {5_000_000});
        Files.writeString(dir.resolve("prefill-x.long.eager.hlog.partial"), "half a log");
        assertEquals(5, files().size(), files().toString());
        assertTrue(Files.readString(dir.resolve("prefill-x.short.eager.hlog")).contains("host wall-clock nanoseconds per forward"));

        StringWriter err = new StringWriter();
        logs.discard(new PrintWriter(err));
        assertEquals(List.of(other), files(), "only files of this run are removed");
        assertEquals("", err.toString());
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
