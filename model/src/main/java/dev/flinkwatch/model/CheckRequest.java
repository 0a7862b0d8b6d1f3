package dev.flinkwatch.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One scheduled fetch of one source of a monitor, emitted by the scheduler when the monitor is due.
 *
 * @param monitorId the monitor
 * @param tenantId its owner
 * @param specVersion the spec version that scheduled this check
 * @param url the source URL
 * @param selector the source's CSS selector, or null
 * @param ignore the spec's ignore patterns (null: none), so the fetch stage extracts the text the
 *     change detector compares without the spec
 * @param scheduledAt when the check was due
 * @param etag validator from the previous response, for a conditional GET; null if unknown
 * @param lastModified validator from the previous response, for a conditional GET; null if unknown
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CheckRequest(
        UUID monitorId,
        UUID tenantId,
        long specVersion,
        String url,
        String selector,
        List<String> ignore,
        Instant scheduledAt,
        String etag,
        String lastModified) {}
