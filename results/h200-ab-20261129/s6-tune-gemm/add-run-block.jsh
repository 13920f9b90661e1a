// Writes provenance.run (the run's meta and devices blocks, as tune-gemm writes them since the eleventh session) into
// the sixth session's two tuned files (thirteenth session), through the tool's own reader and writer. The blocks are
// those of the results file that ran with the tuned file in the same call (same jar, same host, minutes later), with a
// note saying so; ImplChoices.identity leaves provenance.run out of its digest, so each file's identity stays what its
// runs recorded (checked below and by ImplChoicesIdentityTest). Run from the repo root:
//   jshell --class-path cli/target/bench.jar results/h200-ab-20261129/s6-tune-gemm/add-run-block.jsh
import io.prefillbench.forward.ImplChoices;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.*;
import java.util.zip.GZIPInputStream;

var dir = Path.of("results/h200-ab-20261129/s6-tune-gemm");
var json = new ObjectMapper();
for (String call : new String[] {"call8", "call9"}) {
    Path file = dir.resolve(call).resolve("impl-choices-tuned-h200.json");
    Path runFile;
    try (var s = Files.newDirectoryStream(dir.resolve(call), "prefill-s6tune-tuned-1-h200-*.json.gz")) { runFile = s.iterator().next(); }
    var run = json.readTree(new GZIPInputStream(Files.newInputStream(runFile)));
    ImplChoices c = ImplChoices.read(file);
    String before = c.identity("file impl-choices-tuned-h200.json");
    if (!before.equals(run.get("config").get("implChoices").asText())) throw new IllegalStateException(call + ": " + before + " is not what the run recorded");
    ObjectNode block = json.createObjectNode();
    block.set("meta", run.get("meta"));
    block.set("devices", run.get("devices"));
    block.put("note", "added by add-run-block.jsh (thirteenth session): the meta and devices blocks of " + runFile.getFileName()
            + ", the run that used this file in the same call (its argv and timestamp are that prefill run's; the jar, driver, runtime, "
            + "cuBLAS, JDK and device are tune-gemm's too: " + call + "-run.sh ran both with one jar). tune-gemm wrote the rest.");
    var p = c.provenance();
    ImplChoices withRun = c.withGemm(new ImplChoices.Provenance(p.card(), p.date(), p.source(), p.note(), block), c.gemm());
    Files.writeString(file, withRun.toJson());
    String after = ImplChoices.read(file).identity("file impl-choices-tuned-h200.json");
    if (!after.equals(before)) throw new IllegalStateException(call + ": identity moved " + before + " -> " + after);
    System.out.println(call + ": " + after + ", git " + run.get("meta").get("gitSha").asText() + " dirty " + run.get("meta").get("gitDirty").asText());
}
/exit
