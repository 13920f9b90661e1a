package io.prefillbench.cli;

import io.prefillbench.model.HfConfigLoader;
import io.prefillbench.model.ModelConfig;
import io.prefillbench.model.Presets;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;

/** Shared by commands that need a model: a preset name or a Hugging Face config.json. */
final class ModelOptions {
    @ArgGroup(exclusive = true)
    Choice choice;

    static final class Choice {
        @Option(names = "--model", paramLabel = "PRESET",
                description = "Model preset (default: " + Presets.DEFAULT + "). Known: ernie-4.5-0.3b, qwen2.5-0.5b, llama-3.2-1b, ernie-4.5-21b-a3b-attn, tiny, tiny-g5, tiny-bias.")
        String preset;

        @Option(names = "--model-config", paramLabel = "FILE", description = "A Hugging Face config.json giving the shape (weights are random).")
        Path configFile;
    }

    /** The validated model; warnings about config.json fields the benchmark ignores go to {@code err}. */
    ModelConfig resolve(PrintWriter err) {
        if (choice != null && choice.configFile != null) {
            ModelConfig m = HfConfigLoader.load(choice.configFile, err::println);
            err.flush();
            return m;
        }
        return Presets.byName(choice != null && choice.preset != null ? choice.preset : Presets.DEFAULT).validate();
    }
}
