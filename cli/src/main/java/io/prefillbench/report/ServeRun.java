package io.prefillbench.report;

import io.prefillbench.results.ServeResults;
import io.prefillbench.serve.RequestRecord;

import java.nio.file.Path;
import java.util.List;

/**
 * One serve file as a point of a rate sweep: its policy, its nominal arrival rate, the rate requests actually
 * arrived at and the rate the engine took them in, and whether it kept up.
 *
 * <p>Saturated means admitted &lt; {@value #KEEPS_UP} × offered, both over the run's own requests: offered = (n-1) /
 * (last arrival - first arrival), admitted = (n-1) / (last first token - first first token). Completed requests per
 * second over the makespan is no test for this: a run of a few seconds ends with a drain as long as one request's
 * latency (64-256 output tokens), which alone puts it far below the offered rate though nothing queued. A queue that
 * grows shows instead as first tokens spreading out further than the arrivals did.
 *
 * @param rate     {@code --rate} of the run; null for a {@code --trace} run
 * @param offered  requests per second as they arrived (the nominal rate when fewer than two requests)
 * @param admitted requests per second reaching their first token
 */
record ServeRun(Path source, ServeResults results, String policy, Double rate, double offered, double admitted, boolean saturated) {
    static final double KEEPS_UP = 0.9;

    static ServeRun of(ReportInput.Serve in) {
        ServeResults r = in.serve();
        List<RequestRecord> reqs = r.requests();
        double offered, admitted;
        if (reqs.size() >= 2) {
            double a0 = Double.MAX_VALUE, a1 = -Double.MAX_VALUE, f0 = Double.MAX_VALUE, f1 = -Double.MAX_VALUE;
            for (RequestRecord q : reqs) {
                a0 = Math.min(a0, q.arrivalMs());
                a1 = Math.max(a1, q.arrivalMs());
                f0 = Math.min(f0, q.arrivalMs() + q.ttftMs());
                f1 = Math.max(f1, q.arrivalMs() + q.ttftMs());
            }
            offered = perSecond(reqs.size() - 1, a1 - a0);
            admitted = perSecond(reqs.size() - 1, f1 - f0);
        } else { // one request: nothing to queue behind
            offered = r.config().rate() != null ? r.config().rate() : r.summary().requestsPerS();
            admitted = offered;
        }
        return new ServeRun(in.source(), r, r.config().policy(), r.config().rate(), offered, admitted, admitted < KEEPS_UP * offered);
    }

    /** A rate as typed: 5, 20, 0.5. */
    static String rateLabel(double rate) {
        return rate == Math.rint(rate) && Math.abs(rate) < 1e15 ? String.valueOf((long) rate) : Html.f("%.3g", rate);
    }

    /** Requests per second over a span in ms; a zero span (simultaneous arrivals) is infinitely fast. */
    private static double perSecond(int n, double spanMs) {
        return spanMs > 0 ? n * 1000.0 / spanMs : Double.POSITIVE_INFINITY;
    }
}
