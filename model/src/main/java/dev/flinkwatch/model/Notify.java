package dev.flinkwatch.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Where a monitor's alerts are delivered besides the alert store; all fields optional. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Notify(String webhookUrl) {}
