package io.prefillbench.serve;

/**
 * One sequence of a step: a prefill chunk ({@code tokens} of the prompt starting at
 * {@code prefixLen}) or a decode token (its last generated token, after {@code prefixLen} cached
 * tokens), with the request's KV pages.
 */
public record StepItem(int requestId, int[] tokens, int prefixLen, int[] pages, boolean decode) {
}
