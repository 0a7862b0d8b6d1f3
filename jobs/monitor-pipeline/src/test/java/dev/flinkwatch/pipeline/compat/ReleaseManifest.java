package dev.flinkwatch.pipeline.compat;

import dev.flinkwatch.model.ModelCodec;
import dev.flinkwatch.model.MonitorSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * What a release savepoint holds, written by {@link ReleaseSavepointGenerator} next to the
 * savepoint ({@code manifest.properties}) and read by {@link ReleaseSavepointCompatIT}: the job's
 * topic names and ids (restored Kafka source and sink state refer to them), the site's port (the
 * page URLs in state carry it), every monitor's spec as JSON, every page's body and status, the
 * content hash and text the pipeline reported for each source, and the alert ids it raised.
 */
public final class ReleaseManifest {
    public static final String FILE = "manifest.properties";

    /** A monitor of the savepoint, by its short name. */
    public record Monitor(String name, MonitorSpec spec, List<String> paths) {}

    /** A page the generator served: path, HTTP status, body, and for 200s the extracted text. */
    public record Page(String path, int status, String body, String text, String contentHash) {}

    private final Properties props;

    private ReleaseManifest(Properties props) {
        this.props = props;
    }

    public static ReleaseManifest empty() {
        return new ReleaseManifest(new Properties());
    }

    public static ReleaseManifest load(Path dir) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(dir.resolve(FILE))) {
            p.load(in);
        }
        return new ReleaseManifest(p);
    }

    public void store(Path dir) throws IOException {
        try (OutputStream out = Files.newOutputStream(dir.resolve(FILE))) {
            props.store(out, "written by ReleaseSavepointGenerator; do not edit by hand");
        }
    }

    public ReleaseManifest set(String key, Object value) {
        props.setProperty(key, String.valueOf(value));
        return this;
    }

    public String get(String key) {
        String v = props.getProperty(key);
        if (v == null) {
            throw new IllegalStateException("manifest has no " + key);
        }
        return v;
    }

    public int port() {
        return Integer.parseInt(get("site.port"));
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    public void addMonitor(String name, MonitorSpec spec, List<String> paths) {
        String names = props.getProperty("monitors");
        set("monitors", names == null ? name : names + "," + name);
        set("monitor." + name + ".spec", new String(ModelCodec.toJsonBytes(spec), UTF8));
        set("monitor." + name + ".paths", String.join(",", paths));
    }

    public Map<String, Monitor> monitors() {
        Map<String, Monitor> out = new LinkedHashMap<>();
        for (String name : get("monitors").split(",")) {
            MonitorSpec spec =
                    ModelCodec.decodePlain(
                            get("monitor." + name + ".spec").getBytes(UTF8), MonitorSpec.class);
            out.put(
                    name,
                    new Monitor(name, spec, List.of(get("monitor." + name + ".paths").split(","))));
        }
        return out;
    }

    public void addPage(Page page) {
        String paths = props.getProperty("pages");
        set("pages", paths == null ? page.path() : paths + "," + page.path());
        String key = "page." + page.path();
        set(key + ".status", page.status());
        set(key + ".body", page.body());
        if (page.text() != null) {
            set(key + ".text", page.text());
            set(key + ".content-hash", page.contentHash());
        }
    }

    public Map<String, Page> pages() {
        Map<String, Page> out = new LinkedHashMap<>();
        for (String path : get("pages").split(",")) {
            String key = "page." + path;
            out.put(
                    path,
                    new Page(
                            path,
                            Integer.parseInt(get(key + ".status")),
                            get(key + ".body"),
                            props.getProperty(key + ".text"),
                            props.getProperty(key + ".content-hash")));
        }
        return out;
    }

    /** The alert ids of a kind the release raised, in the order they were recorded. */
    public List<String> alertIds(String kind, String monitor) {
        List<String> out = new ArrayList<>();
        String v = props.getProperty("alerts." + kind + "." + monitor);
        if (v != null) {
            out.addAll(List.of(v.split(",")));
        }
        return out;
    }

    public void addAlert(String kind, String monitor, String alertId) {
        String key = "alerts." + kind + "." + monitor;
        String v = props.getProperty(key);
        set(key, v == null ? alertId : v + "," + alertId);
    }

    private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;
}
