package dev.flinkwatch.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkwatch.api.web.CsrfCheck.Refusal;
import org.junit.jupiter.api.Test;

class CsrfCheckTest {
    private static final String OWN = "http://127.0.0.1:8080";

    @Test
    void theSessionsTokenFromThisSiteProceeds() {
        assertThat(CsrfCheck.check("t0k", "t0k", "same-origin", OWN, OWN)).isEmpty();
        assertThat(CsrfCheck.check("t0k", "t0k", null, null, OWN)).isEmpty();
        assertThat(CsrfCheck.check("t0k", "t0k", "none", "http://127.0.0.1:8080/", OWN)).isEmpty();
    }

    @Test
    void aMissingOrForeignTokenIsRefused() {
        assertThat(CsrfCheck.check("t0k", null, null, null, OWN))
                .contains(Refusal.CSRF_TOKEN_INVALID);
        assertThat(CsrfCheck.check("t0k", "t0K", null, null, OWN))
                .contains(Refusal.CSRF_TOKEN_INVALID);
        assertThat(CsrfCheck.check(null, "t0k", null, null, OWN))
                .contains(Refusal.CSRF_TOKEN_INVALID);
    }

    @Test
    void anotherSiteIsRefusedEvenWithTheToken() {
        assertThat(CsrfCheck.check("t0k", "t0k", "cross-site", null, OWN))
                .contains(Refusal.CROSS_SITE_REQUEST);
        assertThat(CsrfCheck.check("t0k", "t0k", "same-site", null, OWN))
                .contains(Refusal.CROSS_SITE_REQUEST);
        assertThat(CsrfCheck.check("t0k", "t0k", null, "http://evil.example", OWN))
                .contains(Refusal.CROSS_SITE_REQUEST);
        assertThat(CsrfCheck.check("t0k", "t0k", null, "http://127.0.0.1:8081", OWN))
                .contains(Refusal.CROSS_SITE_REQUEST);
        assertThat(CsrfCheck.check("t0k", "t0k", null, "https://127.0.0.1:8080", OWN))
                .contains(Refusal.CROSS_SITE_REQUEST);
        assertThat(CsrfCheck.check("t0k", "t0k", null, "null", OWN))
                .contains(Refusal.CROSS_SITE_REQUEST);
        assertThat(CsrfCheck.check("t0k", "t0k", null, "::nonsense", OWN))
                .contains(Refusal.CROSS_SITE_REQUEST);
    }

    @Test
    void theSessionCookieIsHttpOnlyAndStrictAndSecureBehindTls() {
        assertThat(WebUi.cookie("abc", 60, false))
                .isEqualTo("fw_session=abc; Path=/app; Max-Age=60; HttpOnly; SameSite=Strict");
        assertThat(WebUi.cookie("abc", 60, true)).endsWith("; Secure");
    }
}
