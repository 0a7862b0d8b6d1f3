package dev.flinkwatch.api.http;

/**
 * One problem of one item of a multi-item request (a batch create, an import).
 *
 * @param index the item's 0-based position in the request
 * @param field the offending field's path within the item
 * @param message for humans
 */
public record ItemProblem(int index, String field, String message) {}
