package dev.flinkwatch.api.tenants;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiKeysTest {
    @Test
    void keysCarry256RandomBitsAndAreStoredAsTheirSha256() throws Exception {
        ApiKeys.Generated key = ApiKeys.generate();
        assertThat(key.secret()).startsWith(ApiKeys.PREFIX);
        byte[] random =
                Base64.getUrlDecoder().decode(key.secret().substring(ApiKeys.PREFIX.length()));
        assertThat(random).hasSize(32);
        assertThat(key.hash())
                .isEqualTo(
                        MessageDigest.getInstance("SHA-256")
                                .digest(key.secret().getBytes(StandardCharsets.UTF_8)));
        assertThat(key.secret()).startsWith(key.displayPrefix());
        assertThat(key.displayPrefix()).hasSize(ApiKeys.PREFIX.length() + 8);
    }

    @Test
    void keysAreUniqueAndNeverPrinted() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            ApiKeys.Generated key = ApiKeys.generate();
            assertThat(seen.add(key.secret())).isTrue();
            assertThat(key.toString()).doesNotContain(key.secret());
        }
    }
}
