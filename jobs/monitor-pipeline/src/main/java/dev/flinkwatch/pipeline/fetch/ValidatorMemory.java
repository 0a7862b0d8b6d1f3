package dev.flinkwatch.pipeline.fetch;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * The ETag / Last-Modified of the newest content of each (monitor, URL) pair, bounded in bytes.
 * Plain Java and thread-safe: {@link ConditionalGetMemory} asks it on the task thread and fills it
 * from the fetcher's threads.
 *
 * <p>An entry is a 128-bit hash of (monitor id, URL) as key and a compact byte array as value
 * (monitor id, a check value of the URL, spec version, when the content's fetch started, the two
 * validators), weighed by its bytes on the heap, so the bound is memory, not a count that is right
 * for one page mix only. The value repeats the monitor id and a check value of the URL (another
 * hash than the key's): two pairs whose keys collide overwrite each other, which costs a miss (a
 * full GET), never a validator of another monitor or another URL.
 *
 * <p>Eviction is Caffeine's W-TinyLFU: a new pair is admitted only if it was asked for more often
 * than the entry it would evict. When the pairs checked in a cycle outnumber what fits, that keeps
 * a stable subset (hit rate about memory / working set) instead of the LRU's zero on a cyclic
 * pattern; bench/results/conditional-get.md has the numbers.
 */
public final class ValidatorMemory {
    /**
     * Longest ETag / Last-Modified remembered, in UTF-8 bytes: real ones are tens of bytes; a
     * longer one is not remembered (cut, it could never match), so a hostile server cannot fill the
     * memory.
     */
    public static final int MAX_VALIDATOR_BYTES = 254; // + 1 fits the length byte

    /**
     * Heap of one entry besides its value's bytes: Caffeine's node, the hash table's node and slot,
     * the key, the array header and the frequency sketch's share (measured by
     * ConditionalGetMemoryBenchmark: 232 B per entry after GC with 1M entries of 91 B).
     */
    static final int ENTRY_OVERHEAD_BYTES = 140;

    /** monitor id (16), URL check (4), spec version (8), started-at seconds (8) + nanos (4). */
    private static final int FIXED_VALUE_BYTES = 40;

    /**
     * Weight of a typical pair: a 20-byte ETag and a Last-Modified date (the benchmark's entries);
     * for sizing and for the deprecated entry count.
     */
    public static final int TYPICAL_ENTRY_BYTES =
            ENTRY_OVERHEAD_BYTES + FIXED_VALUE_BYTES + 2 + 20 + 29;

    /** 128 bits of the pair's hash: the cache key. */
    record Key(long high, long low) {}

    /** A pair's key and the bits the value repeats to tell colliding pairs apart. */
    record Pair(Key key, long monitorHigh, long monitorLow, int check) {}

    /** The validators to send, either may be null. */
    public record Validators(String etag, String lastModified) {}

    /** Hashes a (monitor id, URL) pair; replaceable so tests can make keys collide. */
    interface PairHash {
        Pair of(UUID monitorId, String url);
    }

    private final Cache<Key, byte[]> entries;
    private final PairHash hash;

    /**
     * @param maxBytes heap the entries may take
     * @param onEviction called for every entry evicted for space (for a metric)
     */
    public ValidatorMemory(long maxBytes, Runnable onEviction) {
        this(maxBytes, onEviction, ValidatorMemory::fastPair);
    }

    ValidatorMemory(long maxBytes, Runnable onEviction, PairHash hash) {
        this.hash = hash;
        this.entries =
                Caffeine.newBuilder()
                        .maximumWeight(maxBytes)
                        .weigher((Key k, byte[] v) -> ENTRY_OVERHEAD_BYTES + v.length)
                        .evictionListener(
                                (k, v, cause) -> {
                                    if (cause.wasEvicted()) {
                                        onEviction.run();
                                    }
                                })
                        .executor(Runnable::run)
                        .build();
    }

    /** The validators remembered for this pair and spec version, or null. */
    public Validators lookup(UUID monitorId, String url, long specVersion) {
        Pair pair = hash.of(monitorId, url);
        byte[] value = entries.getIfPresent(pair.key());
        if (value == null) {
            return null;
        }
        ByteBuffer in = ByteBuffer.wrap(value);
        if (!samePair(in, pair) || in.getLong() != specVersion) {
            return null;
        }
        in.position(FIXED_VALUE_BYTES);
        return new Validators(readString(in), readString(in));
    }

    /**
     * Remembers the validators of a successful fetch (200 or 304) that started at {@code started},
     * unless the memory already holds those of newer content of the pair: a newer spec version, or
     * the same version fetched later. The order is the change detector's, so a response it ignores
     * as older never leaves its ETag here. A response without (rememberable) validators forgets the
     * pair.
     */
    public void remember(
            UUID monitorId,
            String url,
            long version,
            Instant started,
            String etagValue,
            String lastModifiedValue) {
        Pair pair = hash.of(monitorId, url);
        byte[] etag = rememberable(etagValue);
        byte[] lastModified = rememberable(lastModifiedValue);
        entries.asMap()
                .compute(
                        pair.key(),
                        (key, known) -> {
                            if (known != null && isNewer(known, pair, version, started)) {
                                return known; // a late answer to an older request
                            }
                            return etag == null && lastModified == null
                                    ? null
                                    : encode(pair, version, started, etag, lastModified);
                        });
    }

    /** Entries held now (an estimate, as Caffeine's). */
    public long entries() {
        return entries.estimatedSize();
    }

    /** Bytes the entries take by the weigher's count. */
    public long weightedBytes() {
        return entries.policy().eviction().orElseThrow().weightedSize().orElse(0);
    }

    private static boolean isNewer(byte[] known, Pair pair, long version, Instant started) {
        ByteBuffer in = ByteBuffer.wrap(known);
        if (!samePair(in, pair)) {
            return false; // a colliding pair's entry: this one takes the slot
        }
        long knownVersion = in.getLong();
        Instant knownStarted = Instant.ofEpochSecond(in.getLong(), in.getInt());
        return knownVersion > version
                || (knownVersion == version && !started.isAfter(knownStarted));
    }

    /** Reads the pair's identity off the value, leaving the buffer at the spec version. */
    private static boolean samePair(ByteBuffer in, Pair pair) {
        return in.getLong() == pair.monitorHigh()
                && in.getLong() == pair.monitorLow()
                && in.getInt() == pair.check();
    }

    private static byte[] encode(
            Pair pair, long version, Instant started, byte[] etag, byte[] lastModified) {
        ByteBuffer out =
                ByteBuffer.allocate(FIXED_VALUE_BYTES + 2 + length(etag) + length(lastModified));
        out.putLong(pair.monitorHigh()).putLong(pair.monitorLow()).putInt(pair.check());
        out.putLong(version).putLong(started.getEpochSecond()).putInt(started.getNano());
        writeString(out, etag);
        writeString(out, lastModified);
        return out.array();
    }

    private static byte[] rememberable(String validator) {
        if (validator == null) {
            return null;
        }
        byte[] bytes = validator.getBytes(StandardCharsets.UTF_8);
        return bytes.length <= MAX_VALIDATOR_BYTES ? bytes : null;
    }

    private static int length(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    /** One length byte, 0 for absent, else length + 1 (so "" and absent differ). */
    private static void writeString(ByteBuffer out, byte[] bytes) {
        if (bytes == null) {
            out.put((byte) 0);
        } else {
            out.put((byte) (bytes.length + 1)).put(bytes);
        }
    }

    private static String readString(ByteBuffer in) {
        int length = Byte.toUnsignedInt(in.get()) - 1;
        if (length < 0) {
            return null;
        }
        String s = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return s;
    }

    /**
     * Two 64-bit hashes of the URL's chars (FNV-1a and a multiply-rotate), each mixed with one half
     * of the monitor id and finalized with MurmurHash3's fmix64, as the key; the URL's String hash
     * (cached by String) as the check value. Not cryptographic, and need not be: the value repeats
     * the monitor id, so a collision, found or forced, only costs a miss; a SHA-256 made a lookup
     * 1.7x slower (400 vs 240 ns, most of the rest is Caffeine).
     */
    private static Pair fastPair(UUID monitorId, String url) {
        long a = 0xcbf29ce484222325L;
        long b = 0x9e3779b97f4a7c15L;
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            a = (a ^ c) * 0x100000001b3L;
            b = Long.rotateLeft(b ^ c, 31) * 0xc2b2ae3d27d4eb4fL;
        }
        long high = monitorId.getMostSignificantBits();
        long low = monitorId.getLeastSignificantBits();
        return new Pair(new Key(fmix64(a ^ high), fmix64(b ^ low)), high, low, url.hashCode());
    }

    private static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
