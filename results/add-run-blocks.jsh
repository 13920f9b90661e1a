// Writes provenance.run into each --impl-choices input that add-run-blocks.py paired with the earliest results file whose
// argv named it: that run's meta and devices blocks and a note, through bench's own reader and writer. Checks that each
// file's identity (ImplChoices.identity leaves provenance.run out) does not move. Driven by add-run-blocks.py (-Druns).
import io.prefillbench.forward.ImplChoices;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.*;

var json = new ObjectMapper();
for (String line : Files.readAllLines(Path.of(System.getProperty("runs")))) {
    if (line.isBlank()) continue;
    String[] f = line.split("\t");
    Path file = Path.of(f[0]);
    var run = json.readTree(Files.readString(Path.of(f[1])));
    ImplChoices c = ImplChoices.read(file);
    String before = c.identity("file " + file.getFileName());
    ObjectNode block = json.createObjectNode();
    block.set("meta", run.get("meta"));
    block.set("devices", run.get("devices"));
    block.put("note", "added by results/add-run-blocks.jsh (fourteenth session): the meta and devices blocks of " + f[2]
            + ", the earliest of the " + f[4] + " results files whose argv gave this file to --impl-choices (as " + f[3]
            + "); the session script that ran it wrote the rows before the run. The jar, driver, runtime, cuBLAS, JDK and"
            + " device are that run's.");
    var p = c.provenance();
    ImplChoices withRun = c.withGemm(new ImplChoices.Provenance(p.card(), p.date(), p.source(), p.note(), block), c.gemm());
    Files.writeString(file, withRun.toJson());
    String after = ImplChoices.read(file).identity("file " + file.getFileName());
    if (!after.equals(before)) throw new IllegalStateException(file + ": identity moved " + before + " -> " + after);
    System.out.println(file + ": git " + run.get("meta").get("gitSha").asText().substring(0, 7) + " dirty "
            + run.get("meta").get("gitDirty").asText() + ", " + f[4] + " runs");
}
/exit
