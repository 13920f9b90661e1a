package io.prefillbench.results;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.prefillbench.BenchException;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Reads, validates and writes results files. Every failure to read is a {@link BenchException} (exit 2) with a
 * one-line message that names the file and what is wrong with it.
 */
public final class ResultsIo {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false) // newer producers may add fields
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
            .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false);

    private ResultsIo() {
    }

    /** The shared mapper (records, lenient on unknown fields); also used for gate verdicts and JMH files. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Reads and validates a results file; throws BenchException naming the file on any problem. */
    public static Results read(Path file) {
        JsonNode tree = readTree(file);
        return fromTree(file, tree);
    }

    /** Validates an already parsed tree (see {@link #readTree}) as a results file. */
    public static Results fromTree(Path file, JsonNode tree) {
        if (!tree.isObject()) throw bad(file, "not a prefillbench results object (top level is " + tree.getNodeType() + ")");
        JsonNode schema = tree.get("schema");
        if (schema == null || !schema.isTextual()) throw bad(file, "no \"schema\" field; not a prefillbench results file");
        if (!Results.SCHEMA.equals(schema.asText()))
            throw bad(file, "schema is \"" + schema.asText() + "\", expected \"" + Results.SCHEMA + "\"");
        JsonNode complete = tree.get("complete");
        if (complete == null || !complete.isBoolean()) throw bad(file, "missing boolean \"complete\"");
        if (!complete.asBoolean()) throw bad(file, "run is incomplete (\"complete\": false); it did not finish");
        Results r;
        try {
            r = MAPPER.treeToValue(tree, Results.class);
        } catch (JacksonException e) {
            throw bad(file, "malformed field: " + oneLine(e.getOriginalMessage()) + " at " + pathOf(e));
        }
        validate(file, r);
        return r;
    }

    /** Parses any JSON file, turning missing, empty and truncated files into one-line BenchExceptions. */
    public static JsonNode readTree(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BenchException(file + ": no such file");
        } catch (IOException e) {
            throw new BenchException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (bytes.length == 0 || new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank())
            throw bad(file, "file is empty");
        try {
            JsonNode tree = MAPPER.readTree(bytes);
            if (tree == null || tree.isMissingNode()) throw bad(file, "file is empty");
            return tree;
        } catch (JsonEOFException e) {
            throw bad(file, "truncated JSON (ends at byte " + bytes.length + ")");
        } catch (IOException e) {
            String why = e instanceof JacksonException je ? je.getOriginalMessage() : e.getMessage();
            // Jackson's own words suggest enabling a parser feature; the file is what is wrong
            java.util.regex.Matcher nonFinite = java.util.regex.Pattern.compile("Non-standard token '([^']*)'").matcher(why == null ? "" : why);
            if (nonFinite.find()) {
                String at = e instanceof JacksonException je && je.getLocation() != null ? " at line " + je.getLocation().getLineNr() : "";
                throw bad(file, nonFinite.group(1) + at + " is not valid JSON (numbers must be finite)");
            }
            throw bad(file, "not valid JSON: " + oneLine(why));
        }
    }

    /**
     * Writes pretty-printed JSON to a temp file in the same directory, then moves it over {@code file} atomically,
     * so the final name never holds a half-written file.
     */
    public static void writeAtomically(Path file, Object value) {
        write(file, tmp -> MAPPER.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), value));
    }

    /** Text counterpart of {@link #writeAtomically}, for reports. */
    public static void writeTextAtomically(Path file, String text) {
        write(file, tmp -> Files.writeString(tmp, text, java.nio.charset.StandardCharsets.UTF_8));
    }

    private interface Writer {
        void write(Path tmp) throws IOException;
    }

    private static void write(Path file, Writer writer) {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".partial");
            // temp files are created owner-only; results and reports are meant to be shared
            if (Files.getFileStore(tmp).supportsFileAttributeView("posix"))
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            writer.write(tmp);
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new BenchException(dir + ": file system cannot rename atomically; write elsewhere", e);
            }
        } catch (IOException e) {
            throw new BenchException(file + ": cannot write: " + reason(e), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: a stray .partial file is ignored by readers and by git
                }
            }
        }
    }

    /** Why an I/O call failed, in words: a FileSystemException's own message is often only the path. */
    public static String reason(IOException e) {
        if (e instanceof java.nio.file.FileSystemException fse) {
            String why = fse.getReason();
            if (why == null) why = switch (e) {
                case NoSuchFileException x -> "no such file or directory";
                case java.nio.file.AccessDeniedException x -> "permission denied";
                case java.nio.file.FileAlreadyExistsException x -> "a file of that name is in the way";
                case java.nio.file.NotDirectoryException x -> "not a directory";
                default -> e.getClass().getSimpleName();
            };
            String f = fse.getFile();
            return f == null ? why : why + " (" + f + ")";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static void validate(Path file, Results r) {
        require(file, r.meta(), "meta");
        require(file, r.config(), "config");
        require(file, r.config().model(), "config.model");
        require(file, r.devices(), "devices");
        if (r.devices().isEmpty()) throw bad(file, "\"devices\" is empty");
        for (int i = 0; i < r.devices().size(); i++) require(file, r.devices().get(i).name(), "devices[" + i + "].name");
        require(file, r.captures(), "captures");
        require(file, r.workloads(), "workloads");
        if (r.workloads().isEmpty()) throw bad(file, "\"workloads\" is empty; nothing was measured");
        List<Workload> ws = r.workloads();
        for (int i = 0; i < ws.size(); i++) {
            Workload w = ws.get(i);
            String at = "workloads[" + i + "]";
            require(file, w, at);
            require(file, w.name(), at + ".name");
            if (w.tokens() <= 0) throw bad(file, at + ".tokens must be positive");
            if (w.paddedSize() < w.tokens()) throw bad(file, at + ".paddedSize " + w.paddedSize() + " < tokens " + w.tokens());
            require(file, w.launchesPerForward(), at + ".launchesPerForward");
            if (w.eager() == null && w.graph() == null) throw bad(file, "missing \"" + at + ".eager\" and \"" + at + ".graph\"; one mode must be timed");
            if (w.eager() != null && w.graph() != null && w.eager().samplesHostNs() != null && w.graph().samplesHostNs() != null
                    && w.eager().samplesHostNs().length != w.graph().samplesHostNs().length)
                throw bad(file, at + " has " + w.eager().samplesHostNs().length + " eager but " + w.graph().samplesHostNs().length
                        + " graph samples; samples must be paired");
            if (w.eager() != null) validateMode(file, w.eager(), at + ".eager");
            if (w.graph() != null) validateMode(file, w.graph(), at + ".graph");
            if (w.eager() != null && w.graph() != null) {
                long[] e = w.eager().samplesHostNs(), g = w.graph().samplesHostNs();
                require(file, w.speedup(), at + ".speedup");
                double ratio = SpeedupStats.median(e) / SpeedupStats.median(g);
                if (!close(w.speedup().p50Ratio(), ratio))
                    throw bad(file, at + ".speedup.p50Ratio is " + w.speedup().p50Ratio() + " but the samples give " + ratio
                            + "; the stored statistics do not match the stored samples");
            } else if (w.speedup() != null) {
                throw bad(file, at + " has a speedup but only " + (w.eager() == null ? "graph" : "eager") + " timing");
            }
            ProfileValidation.workload(file, w, at);
        }
        if (r.floor() != null) ProfileValidation.floor(file, r.floor());
    }

    private static void validateMode(Path file, ModeTiming m, String at) {
        require(file, m, at);
        require(file, m.hostNs(), at + ".hostNs");
        require(file, m.gpuNs(), at + ".gpuNs");
        require(file, m.samplesHostNs(), at + ".samplesHostNs");
        if (m.samplesHostNs().length == 0) throw bad(file, at + ".samplesHostNs is empty");
        for (long v : m.samplesHostNs()) if (v <= 0) throw bad(file, at + ".samplesHostNs holds a non-positive time " + v);
        // the summary is recomputed from the samples: a file whose numbers were edited, or whose samples were, is refused
        LatencyStats stored = m.hostNs(), fromSamples = LatencyStats.of(m.samplesHostNs());
        String[] names = {"count", "p50", "p90", "p99", "max", "mean"};
        double[] s = {stored.count(), stored.p50(), stored.p90(), stored.p99(), stored.max(), stored.mean()};
        double[] r = {fromSamples.count(), fromSamples.p50(), fromSamples.p90(), fromSamples.p99(), fromSamples.max(), fromSamples.mean()};
        for (int i = 0; i < names.length; i++)
            if (!close(s[i], r[i]))
                throw bad(file, at + ".hostNs." + names[i] + " is " + s[i] + " but the " + m.samplesHostNs().length
                        + " samples give " + r[i] + "; the stored statistics do not match the stored samples");
        if (m.gpuNs().count() != m.samplesHostNs().length)
            throw bad(file, at + ".gpuNs.count is " + m.gpuNs().count() + " but there are " + m.samplesHostNs().length + " samples");
    }

    /** Equal up to the rounding of a JSON round trip. */
    private static boolean close(double stored, double recomputed) {
        return Math.abs(stored - recomputed) <= 1e-9 * Math.max(1, Math.abs(recomputed));
    }

    private static void require(Path file, Object value, String field) {
        if (value == null) throw bad(file, "missing \"" + field + "\"");
    }

    private static BenchException bad(Path file, String what) {
        return new BenchException(file + ": " + what);
    }

    private static String pathOf(JacksonException e) {
        String p = e instanceof com.fasterxml.jackson.databind.JsonMappingException jme ? jme.getPathReference() : "";
        return p == null || p.isEmpty() ? "?" : p.replace("io.prefillbench.results.", "");
    }

    private static String oneLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
