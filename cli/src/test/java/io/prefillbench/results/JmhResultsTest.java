package io.prefillbench.results;

import io.prefillbench.BenchException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JmhResultsTest {
    @TempDir
    Path dir;

    @Test
    void fixturePairsEagerAndGraphPerWorkload() {
        JmhResults j = JmhResults.read(Path.of("src/test/resources/fixtures/jmh-fixture.json"));
        assertEquals(3, j.rows().size());
        assertTrue(j.unpaired().isEmpty());
        JmhComparison shortRow = j.rows().getFirst();
        assertEquals(Map.of("preset", "ernie-4.5-0.3b", "workload", "short"), shortRow.params());
        assertEquals("avgt", shortRow.jmhMode());
        assertEquals(shortRow.eager().score() / shortRow.graph().score(), shortRow.ratio(), 1e-12);
        assertTrue(shortRow.ratio() > 4 && shortRow.ratio() < 4.5, "fixture short speedup ~4.2: " + shortRow.ratio());
        assertEquals(10, shortRow.eager().raw().length, "2 forks x 5 iterations");
        assertEquals("forward avgt preset=ernie-4.5-0.3b workload=short", shortRow.label());
    }

    @Test
    void throughputRatioIsGraphOverEagerAndNanErrorFallsBackToRawData() throws IOException {
        Path f = Files.writeString(dir.resolve("t.json"), """
                [{"benchmark":"a.B.fwd","mode":"thrpt","params":{"mode":"eager","workload":"w"},
                  "primaryMetric":{"score":100.0,"scoreError":"NaN","scoreUnit":"ops/s","rawData":[[98.0,102.0]]}},
                 {"benchmark":"a.B.fwd","mode":"thrpt","params":{"mode":"graph","workload":"w"},
                  "primaryMetric":{"score":400.0,"scoreError":"NaN","scoreUnit":"ops/s","rawData":[[400.0]]}},
                 {"benchmark":"a.B.fwd","mode":"thrpt","params":{"mode":"graph","workload":"lonely"},
                  "primaryMetric":{"score":1.0,"scoreError":0.1,"scoreUnit":"ops/s"}}]
                """);
        JmhResults j = JmhResults.read(f);
        JmhComparison c = j.rows().getFirst();
        assertEquals(4.0, c.ratio(), 1e-12);
        // raw [98, 102]: sd 2.83, se of the mean 2.0, relative 0.02
        assertEquals(0.02, c.eager().logStandardError(), 1e-9);
        assertEquals(Double.POSITIVE_INFINITY, c.graph().logStandardError(), "one raw value: noise unknown");
        assertEquals(1, j.unpaired().size());
        assertTrue(j.unpaired().getFirst().contains("workload=lonely") && j.unpaired().getFirst().contains("no eager"));
    }

    @Test
    void jmhWithoutModeParamOrPairsIsRejected() throws IOException {
        Path noMode = Files.writeString(dir.resolve("nomode.json"), """
                [{"benchmark":"a.B.fwd","mode":"avgt","params":{"workload":"w"},"primaryMetric":{"score":1.0}}]""");
        assertTrue(assertThrows(BenchException.class, () -> JmhResults.read(noMode)).getMessage().contains("no @Param mode"));
        Path onlyEager = Files.writeString(dir.resolve("eager.json"), """
                [{"benchmark":"a.B.fwd","mode":"avgt","params":{"mode":"eager"},"primaryMetric":{"score":1.0}}]""");
        assertTrue(assertThrows(BenchException.class, () -> JmhResults.read(onlyEager)).getMessage().contains("both mode=eager and mode=graph"));
    }
}
