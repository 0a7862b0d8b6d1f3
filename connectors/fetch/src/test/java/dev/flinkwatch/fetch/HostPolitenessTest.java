package dev.flinkwatch.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HostPolitenessTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void capsConcurrencyPerHostAndHandsSlotsOnInOrder() {
        HostPoliteness politeness = new HostPoliteness(2, Duration.ZERO, scheduler);

        CompletableFuture<HostPoliteness.Permit> a = politeness.acquire("a.example");
        CompletableFuture<HostPoliteness.Permit> b = politeness.acquire("a.example");
        CompletableFuture<HostPoliteness.Permit> c = politeness.acquire("a.example");
        CompletableFuture<HostPoliteness.Permit> other = politeness.acquire("b.example");

        assertThat(a).isDone();
        assertThat(b).isDone();
        assertThat(c).isNotDone();
        assertThat(other).isDone();
        a.join().release();
        a.join().release(); // twice: harmless
        assertThat(c).isDone();
        CompletableFuture<HostPoliteness.Permit> d = politeness.acquire("a.example");
        assertThat(d).isNotDone();
    }

    @Test
    void aWaiterThatGaveUpDoesNotKeepASlot() {
        HostPoliteness politeness = new HostPoliteness(1, Duration.ZERO, scheduler);
        CompletableFuture<HostPoliteness.Permit> first = politeness.acquire("a.example");
        CompletableFuture<HostPoliteness.Permit> impatient = politeness.acquire("a.example");
        CompletableFuture<HostPoliteness.Permit> patient = politeness.acquire("a.example");

        impatient.completeExceptionally(new FetchFailure(FetchStatus.TIMEOUT, "gave up"));
        first.join().release();

        assertThat(patient).isDone();
    }

    @Test
    void spacesStartsByTheMinimumDelayAndForgetsIdleHosts() {
        HostPoliteness politeness = new HostPoliteness(4, Duration.ofMillis(200), scheduler);
        long start = System.nanoTime();

        CompletableFuture<HostPoliteness.Permit> first = politeness.acquire("a.example");
        CompletableFuture<HostPoliteness.Permit> second = politeness.acquire("a.example");
        assertThat(first).isDone();
        assertThat(second).isNotDone();
        second.orTimeout(10, TimeUnit.SECONDS).join();

        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isGreaterThanOrEqualTo(Duration.ofMillis(200));
        first.join().release();
        second.join().release();
        await().atMost(Duration.ofSeconds(10)).until(() -> politeness.trackedHosts() == 0);
    }
}
