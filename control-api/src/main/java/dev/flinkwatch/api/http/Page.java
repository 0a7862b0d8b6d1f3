package dev.flinkwatch.api.http;

import java.util.List;

/**
 * One page of a list: the items, and the cursor for the next page (null on the last page).
 *
 * @param items this page, in the list's stable order
 * @param nextCursor pass as {@code cursor} to get the next page; null when there is none
 */
public record Page<T>(List<T> items, String nextCursor) {}
