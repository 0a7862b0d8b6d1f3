package dev.flinkwatch.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CursorTest {
    @Test
    void roundTripsItsParts() {
        String cursor = Cursor.encode("2025-01-31T12:00:00.123456Z", "42");
        assertThat(cursor).matches("[A-Za-z0-9_-]+");
        assertThat(Cursor.decode(cursor, 2)).containsExactly("2025-01-31T12:00:00.123456Z", "42");
    }

    @Test
    void rejectsWhatItDidNotMake() {
        for (String bad : new String[] {"not base64!", "' OR 1=1 --", Cursor.encode("a", "b")}) {
            assertThatThrownBy(() -> Cursor.decode(bad, 1))
                    .isInstanceOfSatisfying(
                            ApiException.class,
                            e -> {
                                assertThat(e.status()).isEqualTo(400);
                                assertThat(e.fields()).containsKey("cursor");
                            });
        }
    }
}
