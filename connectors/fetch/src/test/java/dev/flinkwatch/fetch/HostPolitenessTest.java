package dev.flinkwatch.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HostPolitenessTest {
    private static final long NO_DEADLINE = System.nanoTime() + TimeUnit.HOURS.toNanos(1);
    private static final InetAddress A = address(1);
    private static final InetAddress B = address(2);

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private HostPoliteness politeness(
            int perHost, int perAddress, int waiting, Duration maxWait, Duration spacing) {
        return new HostPoliteness(
                perHost,
                perAddress,
                waiting,
                maxWait,
                host -> spacing.toNanos(),
                host -> 0,
                scheduler);
    }

    @Test
    void capsConcurrencyPerHostAndHandsSlotsOnInOrder() {
        HostPoliteness politeness = politeness(2, 100, 10, Duration.ofHours(1), Duration.ZERO);

        var a = politeness.acquire("a.example", A, NO_DEADLINE);
        var b = politeness.acquire("a.example", A, NO_DEADLINE);
        var c = politeness.acquire("a.example", A, NO_DEADLINE);
        var other = politeness.acquire("b.example", B, NO_DEADLINE);

        assertThat(a).isDone();
        assertThat(b).isDone();
        assertThat(c).isNotDone();
        assertThat(other).isDone();
        a.join().release();
        a.join().release(); // twice: harmless
        assertThat(c).isDone();
        assertThat(politeness.acquire("a.example", A, NO_DEADLINE)).isNotDone();
    }

    @Test
    void capsConcurrencyPerAddressAcrossManyHostNames() {
        HostPoliteness politeness = politeness(4, 3, 0, Duration.ofHours(1), Duration.ZERO);

        List<CompletableFuture<HostPoliteness.Permit>> granted = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            granted.add(politeness.acquire("name-" + i + ".example", A, NO_DEADLINE));
        }
        var fourthName = politeness.acquire("name-3.example", A, NO_DEADLINE);
        var otherAddress = politeness.acquire("name-4.example", B, NO_DEADLINE);

        assertThat(granted).allMatch(CompletableFuture::isDone);
        // no wait list (0): the fourth name on the same address is HOST_BUSY at once
        FetchFailure busy = FetchFailure.from(catchThrowable(fourthName::join));
        assertThat(busy.status()).isEqualTo(FetchStatus.HOST_BUSY);
        assertThat(busy.getMessage())
                .startsWith("the address of this host is busy (3 requests in flight")
                .doesNotContain("192.0.2");
        assertThat(otherAddress.join()).isNotNull();
        // the refused request gave its host-name slot back
        granted.get(0).join().release();
        assertThat(politeness.acquire("name-3.example", A, NO_DEADLINE).join()).isNotNull();
    }

    @Test
    void aFullWaitListIsHostBusyAtOnce() {
        HostPoliteness politeness = politeness(1, 100, 2, Duration.ofHours(1), Duration.ZERO);
        var active = politeness.acquire("a.example", A, NO_DEADLINE);
        var waiting1 = politeness.acquire("a.example", A, NO_DEADLINE);
        var waiting2 = politeness.acquire("a.example", A, NO_DEADLINE);
        var refused = politeness.acquire("a.example", A, NO_DEADLINE);

        assertThat(active).isDone();
        assertThat(waiting1).isNotDone();
        assertThat(waiting2).isNotDone();
        assertThat(FetchFailure.from(catchThrowable(refused::join)).status())
                .isEqualTo(FetchStatus.HOST_BUSY);
        assertThat(FetchFailure.from(catchThrowable(refused::join)).getMessage())
                .isEqualTo(
                        "host a.example is busy (1 requests in flight, its wait list is full);"
                                + " check skipped");
    }

    @Test
    void aWaiterGivesUpAfterTheMaximumWaitWithHostBusy() {
        HostPoliteness politeness = politeness(1, 100, 10, Duration.ofMillis(100), Duration.ZERO);
        var active = politeness.acquire("a.example", A, NO_DEADLINE);
        var waiting = politeness.acquire("a.example", A, NO_DEADLINE);

        Throwable error = catchThrowable(() -> waiting.get(20, TimeUnit.SECONDS));

        assertThat(FetchFailure.from(error).status()).isEqualTo(FetchStatus.HOST_BUSY);
        assertThat(FetchFailure.from(error).getMessage()).contains("no slot within 100 ms");
        active.join().release();
        await().atMost(Duration.ofSeconds(10)).until(() -> politeness.trackedHosts() == 0);
    }

    @Test
    void aWaiterThatGaveUpDoesNotKeepASlot() {
        HostPoliteness politeness = politeness(1, 100, 10, Duration.ofHours(1), Duration.ZERO);
        var first = politeness.acquire("a.example", A, NO_DEADLINE);
        var impatient = politeness.acquire("a.example", A, NO_DEADLINE);
        var patient = politeness.acquire("a.example", A, NO_DEADLINE);

        impatient.completeExceptionally(new FetchFailure(FetchStatus.TIMEOUT, "gave up"));
        first.join().release();

        assertThat(patient).isDone();
    }

    @Test
    void spacesStartsByTheHostsDelayAndForgetsIdleHosts() {
        HostPoliteness politeness =
                politeness(4, 100, 10, Duration.ofHours(1), Duration.ofMillis(200));
        long start = System.nanoTime();

        var first = politeness.acquire("a.example", A, NO_DEADLINE);
        var second = politeness.acquire("a.example", A, NO_DEADLINE);
        assertThat(first).isDone();
        assertThat(second).isNotDone();
        second.orTimeout(10, TimeUnit.SECONDS).join();

        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isGreaterThanOrEqualTo(Duration.ofMillis(200));
        first.join().release();
        second.join().release();
        await().atMost(Duration.ofSeconds(10)).until(() -> politeness.trackedHosts() == 0);
    }

    @Test
    void aHostHeldLongerThanTheWaitIsHostBusyAtOnceAndOthersAreNot() {
        HostPoliteness politeness =
                new HostPoliteness(
                        4,
                        100,
                        10,
                        Duration.ofSeconds(5),
                        host -> 0,
                        host -> host.equals("held.example") ? TimeUnit.MINUTES.toNanos(2) : 0,
                        scheduler);

        var held = politeness.acquire("held.example", A, NO_DEADLINE);
        var other = politeness.acquire("other.example", A, NO_DEADLINE);

        FetchFailure busy = FetchFailure.from(catchThrowable(held::join));
        assertThat(busy.status()).isEqualTo(FetchStatus.HOST_BUSY);
        assertThat(busy.getMessage())
                .isEqualTo(
                        "held.example asked for a pause (Retry-After), 120 s left; check"
                                + " skipped");
        assertThat(other).isDone();
        // the refused request took no slot and left no gate behind
        other.join().release();
        await().atMost(Duration.ofSeconds(10)).until(() -> politeness.trackedHosts() == 0);
    }

    @Test
    void aShortHoldIsWaitedOutBeforeTheNextStart() {
        long holdEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
        HostPoliteness politeness =
                new HostPoliteness(
                        4,
                        100,
                        10,
                        Duration.ofSeconds(30),
                        host -> 0,
                        host -> Math.max(0, holdEnd - System.nanoTime()),
                        scheduler);

        var waiter = politeness.acquire("a.example", A, NO_DEADLINE);
        waiter.orTimeout(20, TimeUnit.SECONDS).join();

        assertThat(System.nanoTime() - holdEnd).isNotNegative();
        waiter.join().release();
    }

    private static InetAddress address(int last) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, (byte) last});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
