package io.prefillbench.results;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * One results file of {@code bench.jar prefill} (schema {@value #SCHEMA}). Read and validated by
 * {@link ResultsIo#read}, written by {@link ResultsIo#writeAtomically}.
 *
 * @param schema     always {@value #SCHEMA}
 * @param complete   true only once every workload was measured; a crashed run leaves false
 * @param throttling nullable when the producer could not query clock throttling
 * @param floor      nullable (older files): the weight-streaming floor measured in the same run
 */
public record Results(String schema, boolean complete, Meta meta, List<Device> devices, RunConfig config,
                      List<Capture> captures, List<Workload> workloads, Throttling throttling,
                      @JsonInclude(JsonInclude.Include.NON_NULL) Floor floor) {
    public static final String SCHEMA = "prefillbench/results/v1";

    /** Results without a measured floor (as files before it held). */
    public Results(String schema, boolean complete, Meta meta, List<Device> devices, RunConfig config,
                   List<Capture> captures, List<Workload> workloads, Throttling throttling) {
        this(schema, complete, meta, devices, config, captures, workloads, throttling, null);
    }

    /** Name of the first device, the one measured; "unknown" when the file lists none. */
    public String deviceName() {
        return devices == null || devices.isEmpty() ? "unknown" : devices.getFirst().name();
    }

    /** The capture of one graph size, or null (fallback workloads have none). */
    public Capture captureFor(int size) {
        if (captures == null) return null;
        for (Capture c : captures) if (c.size() == size) return c;
        return null;
    }
}
