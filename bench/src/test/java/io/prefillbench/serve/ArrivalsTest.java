package io.prefillbench.serve;

import io.prefillbench.BenchException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArrivalsTest {

    @Test
    void poissonArrivalsHaveTheRateAndAreSeeded() {
        LengthDistribution p = LengthDistribution.parse("--prompt-len", "64:256"), o = LengthDistribution.parse("--output-len", "16");
        List<Request> a = Arrivals.poisson(50, p, o, 5000, null, 4096, 1000, 7);
        assertEquals(5000, a.size());
        double rate = a.size() / (a.getLast().arrivalNanos() / 1e9);
        assertTrue(Math.abs(rate - 50) < 3, "measured rate " + rate);
        for (int i = 1; i < a.size(); i++) assertTrue(a.get(i).arrivalNanos() >= a.get(i - 1).arrivalNanos());
        for (Request r : a) assertTrue(r.prompt().length >= 64 && r.prompt().length <= 256 && r.outputTokens() == 16);
        List<Request> b = Arrivals.poisson(50, p, o, 5000, null, 4096, 1000, 7);
        assertArrayEquals(a.get(1234).prompt(), b.get(1234).prompt());
        assertEquals(a.get(4321).arrivalNanos(), b.get(4321).arrivalNanos());
        List<Request> window = Arrivals.poisson(50, p, o, null, 2.0, 4096, 1000, 7);
        assertTrue(window.getLast().arrivalNanos() <= 2_000_000_000L && window.size() > 70 && window.size() < 130, "" + window.size());
    }

    @Test
    void lognormalLengthsAreClampedToTheKvCache() {
        LengthDistribution p = LengthDistribution.parse("--prompt-len", "8,1.5"), o = LengthDistribution.parse("--output-len", "5,1");
        assertInstanceOf(LengthDistribution.LogNormal.class, p);
        for (Request r : Arrivals.poisson(100, p, o, 2000, null, 1024, 1000, 3)) assertTrue(r.kvTokens() <= 1024, "kv " + r.kvTokens());
        long sum = 0;
        Random rnd = new Random(9);
        LengthDistribution ln = LengthDistribution.parse("--prompt-len", "5.3,0.5");
        for (int i = 0; i < 20000; i++) sum += ln.sample(rnd);
        double m = sum / 20000.0, want = Math.exp(5.3 + 0.125);
        assertTrue(Math.abs(m - want) / want < 0.03, "lognormal mean " + m + " vs " + want);
    }

    @Test
    void fixedLengthsThatCannotFitAreRejected() {
        BenchException e = assertThrows(BenchException.class, () -> Arrivals.checkFits(new LengthDistribution.Fixed(100), new LengthDistribution.Uniform(1, 30), 128));
        assertEquals("KV cache too small for one request: prompt 100 + output 30 - 1 tokens exceed --max-model-len 128 (raise --max-model-len or shorten --prompt-len/--output-len)", e.getMessage());
        Arrivals.checkFits(new LengthDistribution.Fixed(100), new LengthDistribution.Uniform(1, 29), 128);
    }

    @Test
    void traceLinesBecomeRequests() {
        List<TraceFile.Entry> t = TraceFile.parse("t.csv", List.of("arrival_ms,prompt_tokens,output_tokens", "0,80,4", "", "# c", "2.5, 80 ,1", "2.5,10,3"));
        assertEquals(3, t.size());
        assertEquals(5, t.get(1).line());
        List<Request> r = Arrivals.fromTrace(t, 2, null, 4096, 1000, 1);
        assertEquals(2, r.size());
        assertEquals(2_500_000L, r.get(1).arrivalNanos());
        assertEquals(1, r.get(1).outputTokens());
    }
}
