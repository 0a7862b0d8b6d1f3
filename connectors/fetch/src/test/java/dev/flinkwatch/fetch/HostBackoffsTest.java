package dev.flinkwatch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.fetch.HostBackoffs.Throttle;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** HostBackoffs on a fake clock: every step is exact, nothing sleeps. */
class HostBackoffsTest {
    private static final String HOST = "shop.example";
    private static final Duration BASE = Duration.ofMillis(400);
    private static final HostBackoffs.Policy POLICY =
            new HostBackoffs.Policy(
                    Duration.ofMinutes(10), Duration.ofSeconds(5), Duration.ofSeconds(2));

    private final AtomicLong nanos = new AtomicLong(-1_000_000_000_000L);
    private final HostBackoffs backoffs = new HostBackoffs(nanos::get, 1000);

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void aRetryAfterHoldsTheHostForThatLong() {
        assertThat(backoffs.throttled(HOST, Duration.ofSeconds(30), BASE, POLICY))
                .isEqualTo(Throttle.HOLD);

        assertThat(backoffs.hold(HOST)).isEqualTo(Duration.ofSeconds(30));
        assertThat(backoffs.hold("other.example")).isZero();
        // a hold is not a backoff: the spacing afterwards is the configured one
        assertThat(backoffs.spacing(HOST, BASE, POLICY)).isEqualTo(BASE);
        assertThat(backoffs.backedOffHosts(POLICY)).isEqualTo(1);

        advance(Duration.ofSeconds(29));
        assertThat(backoffs.hold(HOST)).isEqualTo(Duration.ofSeconds(1));
        advance(Duration.ofSeconds(1));
        assertThat(backoffs.hold(HOST)).isZero();
        assertThat(backoffs.backedOffHosts(POLICY)).isZero();
    }

    @Test
    void aHoldIsClampedAndAShorterOneDoesNotCutALongerOne() {
        backoffs.throttled(HOST, Duration.ofDays(365), BASE, POLICY);
        assertThat(backoffs.hold(HOST)).isEqualTo(Duration.ofMinutes(10));

        backoffs.throttled(HOST, Duration.ofSeconds(5), BASE, POLICY);
        assertThat(backoffs.hold(HOST)).isEqualTo(Duration.ofMinutes(10));

        // a clamped hold outlives the idle expiry only as long as it lasts
        advance(Duration.ofMinutes(10));
        assertThat(backoffs.hold(HOST)).isZero();
    }

    @Test
    void withoutRetryAfterTheSpacingDoublesPerHitUpToTheCapAndDecaysOnSuccess() {
        assertThat(backoffs.throttled(HOST, null, BASE, POLICY))
                .isEqualTo(Throttle.BACKOFF_STARTED);
        assertThat(backoffs.spacing(HOST, BASE, POLICY)).isEqualTo(Duration.ofMillis(800));
        assertThat(backoffs.hold(HOST)).isZero();

        assertThat(backoffs.throttled(HOST, Duration.ZERO, BASE, POLICY))
                .isEqualTo(Throttle.BACKOFF_RAISED); // zero counts as no Retry-After
        assertThat(backoffs.spacing(HOST, BASE, POLICY)).isEqualTo(Duration.ofMillis(1600));
        backoffs.throttled(HOST, null, BASE, POLICY);
        backoffs.throttled(HOST, null, BASE, POLICY);
        assertThat(backoffs.spacing(HOST, BASE, POLICY)).isEqualTo(Duration.ofMillis(5000));
        for (int i = 0; i < 100; i++) {
            backoffs.throttled(HOST, null, BASE, POLICY);
        }
        assertThat(backoffs.spacing(HOST, BASE, POLICY)).isEqualTo(Duration.ofSeconds(5));
        assertThat(backoffs.backedOffHosts(POLICY)).isEqualTo(1);

        // doubling stopped at the cap: one answer undoes one doubling below it, four all of them
        backoffs.answered(HOST, 10);
        assertThat(backoffs.spacing(HOST, BASE, POLICY)).isEqualTo(Duration.ofMillis(3200));
        for (int i = 0; i < 3; i++) {
            backoffs.answered(HOST, 10);
        }
        assertThat(backoffs.spacing(HOST, BASE, POLICY)).isEqualTo(BASE);
        assertThat(backoffs.backedOffHosts(POLICY)).isZero();
    }

    @Test
    void oneSuccessUndoesOneDoubling() {
        backoffs.throttled(HOST, null, BASE, POLICY);
        backoffs.throttled(HOST, null, BASE, POLICY);
        backoffs.answered(HOST, 10);

        assertThat(backoffs.spacing(HOST, BASE, POLICY)).isEqualTo(Duration.ofMillis(800));
        backoffs.answered(HOST, 10);
        assertThat(backoffs.spacing(HOST, BASE, POLICY)).isEqualTo(BASE);
        assertThat(backoffs.throttled(HOST, null, BASE, POLICY))
                .isEqualTo(Throttle.BACKOFF_STARTED);
    }

    @Test
    void aHostWithoutDelayBacksOffFromTheFloor() {
        backoffs.throttled(HOST, null, Duration.ZERO, POLICY);

        assertThat(backoffs.spacing(HOST, Duration.ZERO, POLICY))
                .isEqualTo(HostBackoffs.BACKOFF_FLOOR.multipliedBy(2));
    }

    @Test
    void theCapNeverLowersTheConfiguredSpacing() {
        Duration crawlDelay = Duration.ofSeconds(30);
        backoffs.throttled(HOST, null, crawlDelay, POLICY);

        assertThat(backoffs.spacing(HOST, crawlDelay, POLICY)).isEqualTo(crawlDelay);
    }

    @Test
    void aSlowHostIsSpacedInProportionBounded() {
        backoffs.answered(HOST, 4_000); // twice the 2 s threshold

        assertThat(backoffs.spacing(HOST, BASE, POLICY)).isEqualTo(Duration.ofMillis(800));
        assertThat(backoffs.backedOffHosts(POLICY)).isEqualTo(1);

        backoffs.timedOut(HOST, 200_000);
        assertThat(backoffs.spacing(HOST, BASE, POLICY)).isEqualTo(Duration.ofSeconds(5));

        // fast answers bring the average back under the threshold
        for (int i = 0; i < 30; i++) {
            backoffs.answered(HOST, 50);
        }
        assertThat(backoffs.spacing(HOST, BASE, POLICY)).isEqualTo(BASE);
        HostBackoffs.Policy off =
                new HostBackoffs.Policy(
                        Duration.ofMinutes(10), Duration.ofSeconds(5), Duration.ZERO);
        backoffs.timedOut(HOST, 600_000);
        assertThat(backoffs.spacing(HOST, BASE, off)).isEqualTo(BASE);
    }

    @Test
    void aTimeoutIsSlownessNotSuccess() {
        backoffs.throttled(HOST, null, BASE, POLICY);
        backoffs.timedOut(HOST, 100);

        assertThat(backoffs.spacing(HOST, BASE, POLICY)).isEqualTo(Duration.ofMillis(800));
    }

    @Test
    void idleHostsAreForgottenAndTheMapIsBounded() {
        backoffs.throttled(HOST, null, BASE, POLICY);
        advance(HostBackoffs.IDLE_TTL);
        assertThat(backoffs.spacing(HOST, BASE, POLICY)).isEqualTo(BASE);

        HostBackoffs small = new HostBackoffs(nanos::get, 10);
        for (int i = 0; i < 1000; i++) {
            small.throttled("h" + i + ".example", null, BASE, POLICY);
        }
        assertThat(small.backedOffHosts(POLICY)).isLessThanOrEqualTo(10);
    }

    @Test
    void holdMessagesRoundUpToWholeSeconds() {
        assertThat(HostBackoffs.holdMessage(HOST, Duration.ofMillis(1200)))
                .isEqualTo("shop.example asked for a pause (Retry-After), 2 s left; check skipped");
        assertThat(HostBackoffs.holdMessage(HOST, Duration.ofMillis(1))).contains(", 1 s left");
    }
}
