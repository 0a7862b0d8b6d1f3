package dev.flinkwatch.model.net;

import java.io.Serializable;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which IP addresses the platform may connect to on a user's behalf (SSRF protection).
 *
 * <p>The default policy admits only publicly routable unicast addresses. It refuses loopback,
 * unspecified, private, CGNAT, link-local (including cloud metadata), unique-local, site-local,
 * multicast, broadcast, reserved, benchmarking and documentation ranges, and the IPv4-mapped,
 * IPv4-translated, NAT64 and 6to4 IPv6 forms of refused IPv4 addresses (IPv4-compatible {@code
 * ::a.b.c.d} is deprecated and always refused). An allow-list of networks (CIDRs) and exact host
 * names re-admits addresses for local development and tests; it is empty by default.
 *
 * <p>Ports: only 80 and 443 plus a configured list ({@link #withAllowedPorts}), so a user cannot
 * aim the platform at a mail, database or admin service of a public host ({@code
 * http://198.51.100.7:25/}). Allow-listed destinations (local development and tests, whose servers
 * listen on random ports) may use any port.
 *
 * <p>Nothing here touches DNS: {@link #parseIpLiteral} understands every numeric host spelling a
 * browser or {@code inet_aton} would connect to ({@code 2130706433}, {@code 0177.0.0.1}, {@code
 * 0x7f000001}, {@code 127.1}, {@code [::ffff:127.0.0.1]}), and {@link #blockedReason} classifies an
 * address that was already resolved. Callers that resolve names must check every resolved address
 * and then connect to exactly the address they checked.
 *
 * <p>Instances are immutable, thread-safe and serializable.
 */
public final class AddressPolicy implements Serializable {
    private static final long serialVersionUID = 1L;

    private record Range(Cidr cidr, String reason) {
        static Range of(String cidr, String reason) {
            return new Range(Cidr.parse(cidr), reason + " (" + cidr + ")");
        }
    }

    /** An IPv6 range that carries an IPv4 address at a byte offset. */
    private record Embedding(Cidr cidr, int offset, String form) {
        static Embedding of(String cidr, int offset, String form) {
            return new Embedding(Cidr.parse(cidr), offset, form + " (" + cidr + ")");
        }
    }

    private static final List<Range> IPV4 =
            List.of(
                    Range.of("255.255.255.255/32", "broadcast address"),
                    Range.of("169.254.169.254/32", "cloud metadata address"),
                    Range.of("0.0.0.0/8", "unspecified / this-network address"),
                    Range.of("10.0.0.0/8", "private network"),
                    Range.of("100.64.0.0/10", "carrier-grade NAT (shared) network"),
                    Range.of("127.0.0.0/8", "loopback address"),
                    Range.of("169.254.0.0/16", "link-local address"),
                    Range.of("172.16.0.0/12", "private network"),
                    Range.of("192.0.0.0/24", "IETF protocol assignment"),
                    Range.of("192.0.2.0/24", "documentation network (TEST-NET-1)"),
                    Range.of("192.88.99.0/24", "6to4 relay anycast (deprecated)"),
                    Range.of("192.168.0.0/16", "private network"),
                    Range.of("198.18.0.0/15", "benchmarking network"),
                    Range.of("198.51.100.0/24", "documentation network (TEST-NET-2)"),
                    Range.of("203.0.113.0/24", "documentation network (TEST-NET-3)"),
                    Range.of("224.0.0.0/4", "multicast address"),
                    Range.of("240.0.0.0/4", "reserved address"));

    private static final List<Range> IPV6_BEFORE_EMBEDDED =
            List.of(
                    Range.of("::/128", "unspecified address"),
                    Range.of("::1/128", "loopback address"),
                    Range.of("::/96", "IPv4-compatible IPv6 address (deprecated)"));

    private static final List<Embedding> IPV6_EMBEDDED =
            List.of(
                    Embedding.of("::ffff:0:0/96", 12, "IPv4-mapped IPv6 form"),
                    Embedding.of("::ffff:0:0:0/96", 12, "IPv4-translated IPv6 form"),
                    Embedding.of("64:ff9b::/96", 12, "NAT64 IPv6 form"),
                    Embedding.of("2002::/16", 2, "6to4 IPv6 form"));

    private static final List<Range> IPV6 =
            List.of(
                    Range.of("64:ff9b:1::/48", "local-use NAT64 network"),
                    Range.of("100::/64", "discard-only network"),
                    Range.of("2001:db8::/32", "documentation network"),
                    Range.of(
                            "2001::/23", "IETF protocol assignment (Teredo, ORCHID, benchmarking)"),
                    Range.of("3fff::/20", "documentation network"),
                    Range.of("5f00::/16", "segment routing (SRv6) network"),
                    Range.of("fc00::/7", "unique-local network"),
                    Range.of("fe80::/10", "link-local address"),
                    Range.of("fec0::/10", "site-local address (deprecated)"),
                    Range.of("ff00::/8", "multicast address"));

    private static final Cidr GLOBAL_UNICAST = Cidr.parse("2000::/3");

    /** The ports every policy admits: HTTP and HTTPS. */
    public static final Set<Integer> DEFAULT_PORTS = Set.of(80, 443);

    private final List<Cidr> allowedNetworks;
    private final Set<String> allowedHosts;
    private final Set<Integer> allowedPorts;

    private AddressPolicy(
            List<Cidr> allowedNetworks, Set<String> allowedHosts, Set<Integer> allowedPorts) {
        this.allowedNetworks = List.copyOf(allowedNetworks);
        this.allowedHosts = Set.copyOf(allowedHosts);
        this.allowedPorts = Set.copyOf(allowedPorts);
    }

    /** Public unicast addresses on ports 80 and 443 only; the allow-list is empty. */
    public static AddressPolicy defaults() {
        return new AddressPolicy(List.of(), Set.of(), DEFAULT_PORTS);
    }

    /**
     * A copy that also admits these ports (on any address the policy admits), besides 80 and 443.
     *
     * @throws IllegalArgumentException for a port outside 1..65535
     */
    public AddressPolicy withAllowedPorts(Collection<Integer> ports) {
        Set<Integer> all = new TreeSet<>(allowedPorts);
        for (Integer port : ports) {
            if (port == null || port < 1 || port > 65535) {
                throw new IllegalArgumentException("not a TCP port: " + port);
            }
            all.add(port);
        }
        return new AddressPolicy(allowedNetworks, allowedHosts, all);
    }

    /** The admitted ports for destinations that are not allow-listed, ascending. */
    public List<Integer> allowedPorts() {
        return List.copyOf(new TreeSet<>(allowedPorts));
    }

    /**
     * Why a URL may not use this port, or empty when it may: the port (or the scheme's default when
     * {@code port} is -1) is admitted, or the destination is allow-listed: the host name itself, or
     * {@code address} (the IP literal or the resolved address; null when not known yet) in an
     * allowed network.
     */
    public Optional<String> blockedPortReason(
            String scheme, String host, int port, InetAddress address) {
        int effective = port >= 0 ? port : "https".equalsIgnoreCase(scheme) ? 443 : 80;
        if (allowedPorts.contains(effective) || isAllowedHost(host)) {
            return Optional.empty();
        }
        InetAddress target = address;
        if (target == null && host != null) {
            target = parseIpLiteral(host).orElse(null);
        }
        if (target != null && isAllowListed(target)) {
            return Optional.empty();
        }
        return Optional.of("port " + effective + " is not allowed (allowed: " + portList() + ")");
    }

    /**
     * {@link #blockedPortReason(String, String, int, InetAddress)} before any DNS lookup (monitor
     * creation, or a fetch before it resolves): refuses only when no resolved address could admit
     * the port, i.e. the host is an IP literal or no network is allow-listed.
     */
    public Optional<String> blockedPortReason(String scheme, String host, int port) {
        boolean mayResolveIntoAllowList =
                host != null && parseIpLiteral(host).isEmpty() && !allowedNetworks.isEmpty();
        return mayResolveIntoAllowList
                ? Optional.empty()
                : blockedPortReason(scheme, host, port, null);
    }

    private String portList() {
        return String.join(
                ", ", new TreeSet<>(allowedPorts).stream().map(String::valueOf).toList());
    }

    private boolean isAllowListed(InetAddress address) {
        byte[] bytes = address.getAddress();
        for (Cidr allowed : allowedNetworks) {
            if (allowed.contains(bytes) || allowed.contains(unmapped(address))) {
                return true;
            }
        }
        return false;
    }

    /**
     * A copy that also admits the given entries. Each entry is either a network ({@code
     * 127.0.0.0/8}, {@code ::1/128}, or a single address such as {@code 127.0.0.1}) whose addresses
     * are admitted, or an exact host name ({@code localhost}, case-insensitive, no wildcards) whose
     * resolved addresses are admitted whatever they are. For local development and tests only.
     *
     * @throws IllegalArgumentException for an entry that is neither
     */
    public AddressPolicy withAllowList(Collection<String> entries) {
        List<Cidr> networks = new ArrayList<>(allowedNetworks);
        Set<String> hosts = new LinkedHashSet<>(allowedHosts);
        for (String entry : entries) {
            String e = entry.trim();
            if (e.indexOf('/') >= 0 || IpLiterals.parseBytes(e) != null) {
                networks.add(Cidr.parse(e));
            } else if (isHostName(e) && !IpLiterals.endsInNumber(e)) {
                hosts.add(normalizeHost(e));
            } else {
                throw new IllegalArgumentException("not a CIDR or host name: " + entry);
            }
        }
        return new AddressPolicy(networks, hosts, allowedPorts);
    }

    /** The allow-list as given (networks, then host names); empty by default. */
    public List<String> allowList() {
        List<String> out = new ArrayList<>();
        allowedNetworks.forEach(n -> out.add(n.toString()));
        out.addAll(allowedHosts);
        return out;
    }

    /** Whether this exact host name is on the allow-list (its addresses are then not checked). */
    public boolean isAllowedHost(String host) {
        return host != null && allowedHosts.contains(normalizeHost(host));
    }

    /**
     * Why the platform must not connect to this address, or empty when it may: a short
     * human-readable reason naming the range, e.g. {@code "loopback address (127.0.0.0/8)"}.
     */
    public Optional<String> blockedReason(InetAddress address) {
        return isAllowListed(address) ? Optional.empty() : classify(address.getAddress());
    }

    /**
     * Checks a URL host without resolving it: refuses an IP literal (any spelling) in a refused
     * range, a malformed numeric host, and the reserved loopback names {@code localhost} and {@code
     * *.localhost}. Returns empty for other host names, whose resolved addresses must still be
     * checked with {@link #blockedReason} before connecting. Allow-listed hosts are admitted.
     */
    public Optional<String> blockedHostReason(String host) {
        if (host == null || host.isBlank()) {
            return Optional.of("empty host");
        }
        if (isAllowedHost(host)) {
            return Optional.empty();
        }
        Optional<InetAddress> literal = parseIpLiteral(host);
        if (literal.isPresent()) {
            return blockedReason(literal.get());
        }
        String h = normalizeHost(host);
        if (h.startsWith("[") || h.indexOf(':') >= 0 || IpLiterals.endsInNumber(h)) {
            return Optional.of("malformed IP address literal: " + host);
        }
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            return Optional.of("loopback host name (localhost)");
        }
        return Optional.empty();
    }

    /**
     * The address an IP-literal host denotes, in any spelling a browser or {@code inet_aton}
     * accepts (decimal, octal, hex, shortened dotted forms, bracketed or bare IPv6 with an optional
     * zone id, IPv4-mapped), or empty when the host is not an IP literal. Never performs a DNS
     * lookup. IPv4-mapped IPv6 literals come back as the IPv4 address they reach.
     */
    public static Optional<InetAddress> parseIpLiteral(String host) {
        byte[] bytes = IpLiterals.parseBytes(host);
        return bytes == null ? Optional.empty() : Optional.of(IpLiterals.toAddress(bytes));
    }

    private static Optional<String> classify(byte[] a) {
        if (a.length == 4) {
            return firstMatch(IPV4, a);
        }
        Optional<String> special = firstMatch(IPV6_BEFORE_EMBEDDED, a);
        if (special.isPresent()) {
            return special;
        }
        for (Embedding e : IPV6_EMBEDDED) {
            if (e.cidr().contains(a)) {
                byte[] v4 = Arrays.copyOfRange(a, e.offset(), e.offset() + 4);
                return classify(v4).map(reason -> e.form() + " of a " + reason);
            }
        }
        Optional<String> range = firstMatch(IPV6, a);
        if (range.isPresent() || GLOBAL_UNICAST.contains(a)) {
            return range;
        }
        return Optional.of("reserved IPv6 address (outside 2000::/3)");
    }

    private static Optional<String> firstMatch(List<Range> ranges, byte[] a) {
        for (Range r : ranges) {
            if (r.cidr().contains(a)) {
                return Optional.of(r.reason());
            }
        }
        return Optional.empty();
    }

    /** The IPv4 address an IPv4-mapped IPv6 address reaches, else the address itself. */
    private static byte[] unmapped(InetAddress address) {
        byte[] a = address.getAddress();
        return address instanceof Inet6Address && IPV6_EMBEDDED.get(0).cidr().contains(a)
                ? Arrays.copyOfRange(a, 12, 16)
                : a;
    }

    private static boolean isHostName(String s) {
        return !s.isEmpty()
                && s.chars()
                        .allMatch(
                                c ->
                                        (c >= 'a' && c <= 'z')
                                                || (c >= 'A' && c <= 'Z')
                                                || (c >= '0' && c <= '9')
                                                || c == '.'
                                                || c == '-'
                                                || c == '_');
    }

    private static String normalizeHost(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        return h.endsWith(".") && h.length() > 1 ? h.substring(0, h.length() - 1) : h;
    }

    @Override
    public String toString() {
        return "AddressPolicy{allowList=" + allowList() + ", ports=" + portList() + "}";
    }
}
