package dev.flinkwatch.api.monitors;

import dev.flinkwatch.api.http.TextSafety;
import dev.flinkwatch.model.MonitorSpec;
import dev.flinkwatch.model.MonitorSpecValidator;
import dev.flinkwatch.model.net.AddressPolicy;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a monitor must pass before it is stored: the model's validation (the one definition of
 * a valid monitor), storable text, and no URL whose host is an IP literal (or localhost) in a
 * refused range. Host names are not resolved here: the fetcher checks resolved addresses on every
 * fetch; refusing obvious cases at creation gives the user an immediate, clear answer.
 */
public final class MonitorSpecChecks {
    private final MonitorSpecValidator validator;
    private final AddressPolicy addressPolicy;

    public MonitorSpecChecks(MonitorSpecValidator validator, AddressPolicy addressPolicy) {
        this.validator = validator;
        this.addressPolicy = addressPolicy;
    }

    /** Field path to message for every problem, empty when the spec may be stored. */
    public Map<String, String> problems(MonitorSpec spec) {
        Map<String, String> problems = new LinkedHashMap<>(validator.validate(spec));
        TextSafety.problems(spec).forEach(problems::putIfAbsent);
        if (spec.sources() != null) {
            for (int i = 0; i < spec.sources().size(); i++) {
                if (spec.sources().get(i) != null) {
                    String path = "sources[" + i + "].url";
                    checkAddress(path, spec.sources().get(i).url(), problems);
                    checkPort(path, spec.sources().get(i).url(), problems);
                }
            }
        }
        if (spec.notification() != null) {
            checkAddress("notify.webhookUrl", spec.notification().webhookUrl(), problems);
        }
        return problems;
    }

    /** Pages only: the fetcher's port policy (80, 443 and allow-listed destinations). */
    private void checkPort(String path, String url, Map<String, String> problems) {
        if (url == null || problems.containsKey(path)) {
            return;
        }
        try {
            URI uri = new URI(url);
            addressPolicy
                    .blockedPortReason(uri.getScheme(), uri.getHost(), uri.getPort())
                    .ifPresent(reason -> problems.put(path, "must use an allowed port: " + reason));
        } catch (URISyntaxException e) {
            // the validator has reported it
        }
    }

    private void checkAddress(String path, String url, Map<String, String> problems) {
        if (url == null || problems.containsKey(path)) {
            return;
        }
        String host;
        try {
            host = new URI(url).getHost();
        } catch (URISyntaxException e) {
            return; // the validator has reported it
        }
        Optional<String> blocked = addressPolicy.blockedHostReason(host);
        blocked.ifPresent(
                reason ->
                        problems.put(
                                path,
                                "must not point to a private or reserved address: " + reason));
    }
}
