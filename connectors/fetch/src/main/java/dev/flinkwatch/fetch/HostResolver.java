package dev.flinkwatch.fetch;

import java.io.Serializable;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Resolves a host name to its addresses. Blocking: the {@link SsrfGuard} calls it on its own DNS
 * threads. Pluggable so tests can play DNS tricks (rebinding) without a network.
 */
@FunctionalInterface
public interface HostResolver extends Serializable {
    List<InetAddress> resolve(String host) throws UnknownHostException;

    /** The JDK resolver (hosts file, system DNS, the JVM's address cache). */
    static HostResolver system() {
        return host -> List.of(InetAddress.getAllByName(host));
    }
}
