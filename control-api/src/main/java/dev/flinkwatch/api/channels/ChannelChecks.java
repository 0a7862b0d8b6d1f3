package dev.flinkwatch.api.channels;

import dev.flinkwatch.api.http.TextSafety;
import dev.flinkwatch.delivery.ChannelSettings;
import dev.flinkwatch.delivery.ChannelStore;
import dev.flinkwatch.delivery.ChannelType;
import dev.flinkwatch.delivery.MessageRenderer;
import dev.flinkwatch.fetch.SsrfGuard;
import dev.flinkwatch.model.MonitorSpecValidator;
import dev.flinkwatch.model.net.AddressPolicy;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Everything a channel must pass before it is stored, reported by field path ({@code settings.url},
 * {@code settings.to[1]}): the fields its type needs and no others, URL syntax, https (http only to
 * an allow-listed receiver, a local setup), the SSRF guard on the URL's resolved address (the same
 * guard as deliveries, which check again on every attempt), email address syntax, the telegram
 * token's shape, and a template within the size cap that the message renderer accepts (it compiles,
 * uses known tokens only and no partials). No message ever quotes a settings value: they are
 * secrets.
 */
public final class ChannelChecks {
    public static final int MAX_NAME_LENGTH = 200;
    public static final int MAX_RECIPIENTS = 20;
    public static final int MAX_ADDRESS_LENGTH = 254;
    public static final int MAX_TOKEN_LENGTH = 200;

    /** {@code <bot id>:<secret>} as BotFather issues them. */
    private static final Pattern TELEGRAM_TOKEN =
            Pattern.compile("[0-9]{3,20}:[A-Za-z0-9_-]{30,64}");

    /** A numeric chat id (groups are negative) or a public {@code @channelusername}. */
    private static final Pattern TELEGRAM_CHAT =
            Pattern.compile("-?[0-9]{1,20}|@[A-Za-z0-9_]{5,32}");

    private static final Pattern PRINTABLE_TOKEN = Pattern.compile("[\\x21-\\x7e]+");

    private static final Set<ChannelType> URL_TYPES =
            EnumSet.of(
                    ChannelType.WEBHOOK,
                    ChannelType.SLACK,
                    ChannelType.DISCORD,
                    ChannelType.NTFY,
                    ChannelType.APPRISE);

    private static final long GUARD_WAIT_SECONDS = 15;

    private final AddressPolicy policy;
    private final SsrfGuard guard;

    public ChannelChecks(AddressPolicy policy, SsrfGuard guard) {
        this.policy = policy;
        this.guard = guard;
    }

    /**
     * Field path to message for every problem, empty when the channel may be stored. The SSRF guard
     * runs only on an otherwise valid channel (it may resolve the host name).
     *
     * @param settings the settings to store (the request's, or the stored ones on a PUT without)
     */
    public Map<String, String> problems(ChannelRequest request, ChannelSettings settings) {
        Map<String, String> problems = new LinkedHashMap<>(TextSafety.problems(request));
        if (request.name() == null || request.name().isBlank()) {
            problems.putIfAbsent("name", "is required");
        } else if (request.name().length() > MAX_NAME_LENGTH) {
            problems.putIfAbsent("name", "must be at most " + MAX_NAME_LENGTH + " characters");
        }
        ChannelType type = ChannelType.fromJson(request.type());
        if (request.type() == null) {
            problems.putIfAbsent("type", "is required");
        } else if (type == null) {
            problems.putIfAbsent(
                    "type",
                    "must be one of "
                            + String.join(
                                    ", ",
                                    Arrays.stream(ChannelType.values())
                                            .map(ChannelType::jsonName)
                                            .toList()));
        }
        checkTemplate(request.template(), problems);
        if (settings == null) {
            problems.putIfAbsent("settings", "is required");
        } else if (type != null) {
            checkSettings(type, settings, problems);
        }
        if (problems.isEmpty() && URL_TYPES.contains(type)) {
            checkDestination("settings.url", settings.url(), problems);
        }
        return problems;
    }

    private static void checkSettings(
            ChannelType type, ChannelSettings s, Map<String, String> problems) {
        boolean usesUrl = URL_TYPES.contains(type);
        boolean usesToken = type == ChannelType.TELEGRAM || type == ChannelType.NTFY;
        boolean usesTo = type == ChannelType.EMAIL || type == ChannelType.APPRISE;
        unused("settings.url", s.url(), usesUrl, type, problems);
        unused("settings.token", s.token(), usesToken, type, problems);
        unused("settings.chatId", s.chatId(), type == ChannelType.TELEGRAM, type, problems);
        unused("settings.to", s.to(), usesTo, type, problems);
        if (usesUrl) {
            MonitorSpecValidator.checkUrl("settings.url", s.url(), problems);
        }
        switch (type) {
            case TELEGRAM -> {
                required(
                        "settings.token",
                        s.token(),
                        TELEGRAM_TOKEN,
                        "a Telegram bot token" + " (<bot id>:<secret>)",
                        problems);
                required(
                        "settings.chatId",
                        s.chatId(),
                        TELEGRAM_CHAT,
                        "a numeric chat id or an @channelusername",
                        problems);
            }
            case NTFY -> {
                if (s.token() != null
                        && (s.token().length() > MAX_TOKEN_LENGTH
                                || !PRINTABLE_TOKEN.matcher(s.token()).matches())) {
                    problems.putIfAbsent(
                            "settings.token",
                            "must be at most "
                                    + MAX_TOKEN_LENGTH
                                    + " printable characters without spaces");
                }
            }
            case EMAIL -> checkRecipients(s.to(), problems);
            case APPRISE -> checkServiceUrls(s.to(), problems);
            default -> {
                // url only, checked above
            }
        }
    }

    private static void unused(
            String path, Object value, boolean used, ChannelType type, Map<String, String> p) {
        if (value != null && !used) {
            p.putIfAbsent(path, "is not used by type " + type.jsonName());
        }
    }

    private static void required(
            String path, String value, Pattern shape, String what, Map<String, String> p) {
        if (value == null || value.isBlank()) {
            p.putIfAbsent(path, "is required");
        } else if (!shape.matcher(value).matches()) {
            p.putIfAbsent(path, "must be " + what);
        }
    }

    private static void checkRecipients(List<String> to, Map<String, String> problems) {
        if (to == null || to.isEmpty()) {
            problems.putIfAbsent("settings.to", "must have at least 1 recipient");
            return;
        }
        if (to.size() > MAX_RECIPIENTS) {
            problems.putIfAbsent(
                    "settings.to", "must have at most " + MAX_RECIPIENTS + " recipients");
            return;
        }
        for (int i = 0; i < to.size(); i++) {
            String path = "settings.to[" + i + "]";
            String address = to.get(i);
            if (address == null || address.isBlank()) {
                problems.putIfAbsent(path, "is required");
            } else if (address.length() > MAX_ADDRESS_LENGTH) {
                problems.putIfAbsent(path, "must be at most " + MAX_ADDRESS_LENGTH + " characters");
            } else if (!isPlainAddress(address)) {
                problems.putIfAbsent(path, "must be an email address (name@domain)");
            }
        }
    }

    /** One bare address, strictly (no display name, no group, no list). */
    static boolean isPlainAddress(String address) {
        try {
            InternetAddress parsed = new InternetAddress(address, true);
            parsed.validate();
            return parsed.getPersonal() == null
                    && !parsed.isGroup()
                    && parsed.getAddress().equals(address)
                    && address.indexOf('@') > 0;
        } catch (AddressException e) {
            return false;
        }
    }

    /** Apprise service URLs ({@code tgram://...}) go to the Apprise server, which sends them. */
    private static void checkServiceUrls(List<String> to, Map<String, String> problems) {
        if (to == null) {
            return;
        }
        if (to.size() > MAX_RECIPIENTS) {
            problems.putIfAbsent(
                    "settings.to", "must have at most " + MAX_RECIPIENTS + " service URLs");
            return;
        }
        for (int i = 0; i < to.size(); i++) {
            String path = "settings.to[" + i + "]";
            String url = to.get(i);
            if (url == null || url.isBlank()) {
                problems.putIfAbsent(path, "is required");
            } else if (url.length() > MonitorSpecValidator.MAX_URL_LENGTH) {
                problems.putIfAbsent(
                        path,
                        "must be at most " + MonitorSpecValidator.MAX_URL_LENGTH + " characters");
            } else if (!url.matches("[A-Za-z][A-Za-z0-9+.-]*://\\S+")) {
                problems.putIfAbsent(path, "must be an Apprise service URL (scheme://...)");
            }
        }
    }

    static void checkTemplate(String template, Map<String, String> problems) {
        if (template == null) {
            return;
        }
        if (template.getBytes(StandardCharsets.UTF_8).length > ChannelStore.MAX_TEMPLATE_BYTES) {
            problems.putIfAbsent(
                    "template", "must be at most " + ChannelStore.MAX_TEMPLATE_BYTES + " bytes");
            return;
        }
        String error = MessageRenderer.templateError(template);
        if (error != null) {
            problems.putIfAbsent("template", "must be a usable Mustache template: " + error);
        }
    }

    /**
     * https, or http to an allow-listed receiver; and the SSRF guard's verdict on the resolved
     * address. A host name that does not resolve now is accepted (deliveries check every attempt).
     */
    private void checkDestination(String path, String url, Map<String, String> problems) {
        URI uri = URI.create(url); // syntax checked
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        InetAddress address;
        try {
            address = guard.check(uri).get(GUARD_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | CompletionException e) {
            if (SsrfGuard.isRefusal(e.getCause())) {
                problems.put(
                        path,
                        "is refused by the address policy (private, reserved or not allowed"
                                + " address or port): "
                                + e.getCause().getMessage());
                return;
            }
            address = null; // DNS failure: not refused here
        } catch (TimeoutException e) {
            address = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking a channel URL");
        }
        if (scheme.equals("http") && !isAllowListed(uri.getHost(), address)) {
            problems.put(path, "must be an https URL (http only to an allow-listed receiver)");
        }
    }

    /** Admitted by this policy only because of its allow-list (a local receiver). */
    private boolean isAllowListed(String host, InetAddress resolved) {
        if (policy.isAllowedHost(host)) {
            return true;
        }
        InetAddress address =
                resolved != null ? resolved : AddressPolicy.parseIpLiteral(host).orElse(null);
        return address != null
                && policy.blockedReason(address).isEmpty()
                && AddressPolicy.defaults().blockedReason(address).isPresent();
    }
}
