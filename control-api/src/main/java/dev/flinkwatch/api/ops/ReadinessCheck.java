package dev.flinkwatch.api.ops;

import java.util.Objects;

/**
 * One condition for {@code /readyz}: a name and a probe that returns when the dependency is usable
 * and throws (with a reason) when it is not. Probes should answer within a second or two; a probe
 * that takes longer than {@link Readiness#PROBE_TIMEOUT} counts as failed.
 *
 * @param name short identifier shown in the readiness document, e.g. {@code database}
 * @param probe the check
 */
public record ReadinessCheck(String name, Probe probe) {

    @FunctionalInterface
    public interface Probe {
        void verify() throws Exception;
    }

    public ReadinessCheck {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(probe, "probe");
    }
}
