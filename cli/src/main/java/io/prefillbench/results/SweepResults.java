package io.prefillbench.results;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import io.prefillbench.BenchException;

import java.nio.file.Path;
import java.util.List;

/**
 * Results of {@code prefill --sweep A:B:STEP} (schema {@value #SCHEMA}): the same meta and devices blocks as a
 * prefill results file, the sweep's config, and one {@link SweepPoint} per token count, ascending.
 */
public record SweepResults(String schema, boolean complete, Meta meta, List<Device> devices, SweepConfig config,
                           List<SweepPoint> sweep, Throttling throttling) {
    public static final String SCHEMA = "prefillbench/sweep/v1";

    /** True when a parsed JSON object names the sweep schema. */
    public static boolean looksLikeSweep(JsonNode tree) {
        return tree.isObject() && SCHEMA.equals(tree.path("schema").asText(null));
    }

    public static SweepResults read(Path file) {
        return fromTree(file, ResultsIo.readTree(file));
    }

    /** Validates a parsed tree; BenchException (exit 2) naming the file and the field on any problem. */
    public static SweepResults fromTree(Path file, JsonNode tree) {
        if (!looksLikeSweep(tree)) throw new BenchException(file + ": schema is not \"" + SCHEMA + "\"; not a sweep file");
        if (!tree.path("complete").asBoolean(false)) throw new BenchException(file + ": sweep is incomplete (\"complete\" is not true)");
        SweepResults r;
        try {
            r = ResultsIo.mapper().treeToValue(tree, SweepResults.class);
        } catch (JacksonException e) {
            throw new BenchException(file + ": malformed sweep field: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
        if (r.meta() == null) throw new BenchException(file + ": missing \"meta\"");
        if (r.devices() == null || r.devices().isEmpty()) throw new BenchException(file + ": missing \"devices\"");
        if (r.config() == null) throw new BenchException(file + ": missing \"config\"");
        if (r.sweep() == null || r.sweep().isEmpty()) throw new BenchException(file + ": \"sweep\" has no points");
        int last = 0;
        for (int i = 0; i < r.sweep().size(); i++) {
            SweepPoint p = r.sweep().get(i);
            String at = file + ": sweep[" + i + "]";
            if (p == null || p.eager() == null || p.graph() == null) throw new BenchException(at + " lacks eager or graph timing");
            if (p.tokens() <= last) throw new BenchException(at + ".tokens " + p.tokens() + " is not above the previous point's " + last);
            if (!(p.eager().hostP50Ms() > 0) || !(p.graph().hostP50Ms() > 0))
                throw new BenchException(at + " has a non-positive host p50");
            last = p.tokens();
        }
        return r;
    }

    public String deviceName() {
        return devices == null || devices.isEmpty() ? "unknown" : devices.getFirst().name();
    }
}
