package dev.flinkwatch.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * JSON-schema validation of YAML files: the compose specification as published, and a CRD's
 * openAPIV3Schema made strict the way the API server prunes (an object with declared properties
 * accepts no others unless it says {@code x-kubernetes-preserve-unknown-fields}), so a misspelt or
 * misplaced field fails the test instead of being silently dropped at apply time.
 */
final class Schemas {
    static final YAMLMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();

    private Schemas() {}

    static Schema composeSpec() {
        return load("schemas/compose-spec.json", SpecificationVersion.DRAFT_7, false);
    }

    static Schema flinkDeployment() {
        try (InputStream in = resource("schemas/flinkdeployments.flink.apache.org-v1.yml")) {
            JsonNode crd = YAML.readTree(in);
            JsonNode schema =
                    crd.path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema");
            ObjectNode strict = ((ObjectNode) schema.deepCopy());
            // the API server accepts these on every object without the CRD declaring them
            ObjectNode root = (ObjectNode) strict.path("properties");
            root.putObject("apiVersion").put("type", "string");
            root.putObject("kind").put("type", "string");
            root.putObject("metadata")
                    .put("type", "object")
                    .put("x-kubernetes-preserve-unknown-fields", true);
            strict(strict);
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
                    .getSchema(strict);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Every document of a (multi-document) YAML file, read by SnakeYAML as Compose and kubectl read
     * it (merge keys {@code <<: *anchor} resolved), as JSON.
     */
    static List<JsonNode> documents(Path file) {
        try {
            List<JsonNode> out = new ArrayList<>();
            Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
            for (Object doc : yaml.loadAll(Files.readString(file))) {
                if (doc != null) {
                    out.add(JSON.valueToTree(doc));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(file.toString(), e);
        }
    }

    static List<String> errors(Schema schema, JsonNode doc) {
        return schema.validate(doc).stream().map(Error::toString).toList();
    }

    private static void strict(ObjectNode schema) {
        // Kubernetes' int-or-string and preserve-unknown markers are not JSON schema keywords
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            schema.remove("type");
        }
        if (schema.has("properties")
                && !schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)
                && !schema.has("additionalProperties")) {
            schema.put("additionalProperties", false);
        }
        for (Map.Entry<String, JsonNode> e : schema.properties()) {
            JsonNode child = e.getValue();
            if (e.getKey().equals("properties")) {
                child.properties().forEach(p -> strictIfObject(p.getValue()));
            } else if (!e.getKey().equals("enum") && !e.getKey().equals("default")) {
                strictIfObject(child);
                if (child.isArray()) {
                    child.forEach(Schemas::strictIfObject);
                }
            }
        }
    }

    private static void strictIfObject(JsonNode node) {
        if (node instanceof ObjectNode o) {
            strict(o);
        }
    }

    private static Schema load(String resource, SpecificationVersion version, boolean yaml) {
        try (InputStream in = resource(resource)) {
            JsonNode node = yaml ? YAML.readTree(in) : JSON.readTree(in);
            // the published compose schema's "$id" is a bare file name, not a URI: drop it
            ((ObjectNode) node).remove("$id");
            return SchemaRegistry.withDefaultDialect(version).getSchema(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = Schemas.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("missing test resource " + name);
        }
        return in;
    }
}
