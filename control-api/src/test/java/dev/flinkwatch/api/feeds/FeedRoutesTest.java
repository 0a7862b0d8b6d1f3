package dev.flinkwatch.api.feeds;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FeedRoutesTest {
    private static final String ETAG = "\"0123abcd\"";

    @Test
    void ifNoneMatchComparesWeaklyAndAcceptsListsAndStar() {
        assertThat(FeedRoutes.notModified(null, ETAG)).isFalse();
        assertThat(FeedRoutes.notModified("", ETAG)).isFalse();
        assertThat(FeedRoutes.notModified(ETAG, ETAG)).isTrue();
        assertThat(FeedRoutes.notModified("W/" + ETAG, ETAG)).isTrue();
        assertThat(FeedRoutes.notModified("\"other\", " + ETAG, ETAG)).isTrue();
        assertThat(FeedRoutes.notModified("*", ETAG)).isTrue();
        assertThat(FeedRoutes.notModified("\"0123abc\"", ETAG)).isFalse();
        assertThat(FeedRoutes.notModified("0123abcd", ETAG)).isFalse();
    }
}
