package dev.flinkwatch.api.web;

/**
 * What a preview found for one source.
 *
 * @param url the source's URL
 * @param fetched how the fetch ended ({@code ok}, {@code blocked}, ...)
 * @param httpStatus the final HTTP status, null without a response
 * @param problem why there is no text (fetch or extraction), null when there is
 * @param text the text the selector and ignore patterns extract, normalized (shortened for display)
 * @param conditionMet whether the rule holds on this text now; null for LLM conditions (judged on a
 *     change) and when there is no text
 * @param reason the rule's explanation, or what happens instead
 */
public record PreviewResult(
        String url,
        String fetched,
        Integer httpStatus,
        String problem,
        String text,
        Boolean conditionMet,
        String reason) {}
