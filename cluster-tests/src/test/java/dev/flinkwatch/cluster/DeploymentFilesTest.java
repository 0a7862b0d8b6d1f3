package dev.flinkwatch.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.configuration.GlobalConfiguration;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml against the compose specification, every Kubernetes manifest of
 * k8s/flink-operator/ (FlinkDeployments strictly against the operator's CRD schema), and the rules
 * both share: secrets only by reference, the Flink configuration only with keys Flink knows.
 */
class DeploymentFilesTest {
    private static final Pattern SECRET_NAME =
            Pattern.compile(".*(PASSWORD|SECRET|TOKEN|API_KEY|KEYSET|ACCESS_KEY).*");

    /**
     * Keys owned by the operator, its autoscaler and the S3 plugin, which are not on this
     * classpath.
     */
    // metrics.reporter.prom.*: keys of the Prometheus reporter plugin, not of Flink's classpath
    private static final List<String> DELEGATED =
            List.of("kubernetes.", "job.autoscaler.", "s3.", FlinkConfTest.PROMETHEUS);

    @Test
    void composeFileFollowsTheComposeSpecification() {
        JsonNode compose = composeFile();
        assertThat(Schemas.errors(Schemas.composeSpec(), compose)).isEmpty();
        JsonNode services = compose.path("services");
        assertThat(iterable(services.fieldNames()))
                .contains(
                        "postgres",
                        "kafka",
                        "jobmanager",
                        "taskmanager",
                        "job-submit",
                        "control-api",
                        "delivery",
                        "browser-service");
        // --scale taskmanager=N: no fixed name, no host port
        assertThat(services.path("taskmanager").has("container_name")).isFalse();
        assertThat(services.path("taskmanager").has("ports")).isFalse();
        for (String longRunning : List.of("postgres", "kafka", "jobmanager", "control-api")) {
            assertThat(services.path(longRunning).has("healthcheck")).as(longRunning).isTrue();
        }
        // published ports only on loopback
        services.forEach(
                s -> s.path("ports").forEach(p -> assertThat(p.asText()).startsWith("127.0.0.1:")));
    }

    @Test
    void composeTakesSecretsFromTheEnvironmentOnly() {
        List<String> inlined = new ArrayList<>();
        composeFile()
                .path("services")
                .properties()
                .forEach(
                        s ->
                                s.getValue()
                                        .path("environment")
                                        .properties()
                                        .forEach(
                                                e -> {
                                                    if (SECRET_NAME.matcher(e.getKey()).matches()
                                                            && !e.getValue()
                                                                    .asText()
                                                                    .startsWith("${")) {
                                                        inlined.add(s.getKey() + "." + e.getKey());
                                                    }
                                                }));
        assertThat(inlined).isEmpty();
    }

    @Test
    void flinkDeploymentsMatchTheOperatorsCrdStrictly() {
        Schema schema = Schemas.flinkDeployment();
        List<JsonNode> deployments = documentsOfKind("FlinkDeployment");
        assertThat(deployments).isNotEmpty();
        for (JsonNode d : deployments) {
            assertThat(Schemas.errors(schema, d))
                    .as(d.path("metadata").path("name").asText())
                    .isEmpty();
            JsonNode spec = d.path("spec");
            assertThat(spec.path("flinkVersion").asText()).isEqualTo("v2_2");
            assertThat(spec.path("job").path("upgradeMode").asText()).isEqualTo("savepoint");
            assertThat(spec.path("job").path("jarURI").asText())
                    .isEqualTo("local:///opt/flink/usrlib/monitor-pipeline.jar");
            Map<String, String> conf = new HashMap<>();
            spec.path("flinkConfiguration")
                    .properties()
                    .forEach(e -> conf.put(e.getKey(), e.getValue().asText()));
            assertThat(FlinkOptionKeys.unknown(conf.keySet(), DELEGATED)).isEmpty();
            assertThat(conf)
                    .containsEntry("high-availability.type", "kubernetes")
                    .containsEntry("job.autoscaler.enabled", "true")
                    .containsEntry("state.backend.type", "rocksdb")
                    .containsEntry("execution.checkpointing.incremental", "true")
                    .containsKey("kubernetes.operator.periodic.savepoint.interval");
            assertThat(conf.get("execution.checkpointing.dir")).startsWith("s3://");
            // the operator writes its own config.yaml: what must match flink-conf/ is repeated
            Map<String, String> clusterConf =
                    GlobalConfiguration.loadConfiguration(Repo.flinkConf().toString()).toMap();
            for (String key :
                    List.of(
                            "env.java.opts.all",
                            "classloader.parent-first-patterns.additional",
                            "pipeline.max-parallelism",
                            "pipeline.generic-types",
                            "state.backend.type",
                            "execution.checkpointing.interval",
                            "execution.checkpointing.mode",
                            "restart-strategy.type",
                            FlinkConfTest.PROMETHEUS + "factory.class",
                            FlinkConfTest.PROMETHEUS + "port")) {
                assertThat(conf.get(key)).as(key).isEqualTo(clusterConf.get(key));
            }
            assertThat(d.toString()).contains("flink-s3-fs-presto-2.2.1.jar");
        }
    }

    @Test
    void theStrictSchemaRejectsAMisplacedField() {
        ObjectNode d = (ObjectNode) documentsOfKind("FlinkDeployment").get(0).deepCopy();
        ((ObjectNode) d.path("spec").path("job")).put("upgradeMod", "savepoint");
        assertThat(Schemas.errors(Schemas.flinkDeployment(), d)).isNotEmpty();
    }

    @Test
    void everyManifestIsWellFormedAndReferencesItsSecrets() {
        Set<String> kinds =
                Set.of(
                        "FlinkDeployment",
                        "Deployment",
                        "Service",
                        "NetworkPolicy",
                        "ServiceAccount",
                        "Role",
                        "RoleBinding",
                        "Kustomization");
        List<JsonNode> docs = allManifests();
        assertThat(docs).hasSizeGreaterThanOrEqualTo(8);
        List<String> problems = new ArrayList<>();
        for (JsonNode d : docs) {
            String kind = d.path("kind").asText();
            if (!kinds.contains(kind) || d.path("apiVersion").asText().isEmpty()) {
                problems.add("unexpected document " + kind + " " + d.path("apiVersion"));
            }
            if (!kind.equals("Kustomization")
                    && d.path("metadata").path("name").asText().isEmpty()) {
                problems.add(kind + " without a name");
            }
            collectInlinedSecrets(d, problems);
        }
        assertThat(problems).isEmpty();
        assertThat(docs.stream().map(d -> d.path("kind").asText())).doesNotContain("Secret");
    }

    @Test
    void taskManagersMayNotReachPrivateRanges() {
        assertDeniesPrivateRanges(
                networkPolicyFor(p -> p.path("component").asText().equals("taskmanager")));
    }

    @Test
    void browserPodsMayNotReachPrivateRanges() {
        // Chromium resolves names itself: this policy, not the in-process guard, is the last word.
        JsonNode policy =
                networkPolicyFor(
                        p -> p.path("app.kubernetes.io/name").asText().equals("browser-service"));
        assertDeniesPrivateRanges(policy);
        // nothing in-cluster but DNS: every egress rule is an ipBlock or kube-dns
        policy.path("spec")
                .path("egress")
                .forEach(
                        rule ->
                                rule.path("to")
                                        .forEach(
                                                to ->
                                                        assertThat(
                                                                        to.has("ipBlock")
                                                                                || to.path(
                                                                                                "podSelector")
                                                                                        .toString()
                                                                                        .contains(
                                                                                                "kube-dns"))
                                                                .as(to.toString())
                                                                .isTrue()));
        JsonNode deployment =
                documentsOfKind("Deployment").stream()
                        .filter(
                                d ->
                                        d.path("metadata")
                                                .path("name")
                                                .asText()
                                                .equals("browser-service"))
                        .findFirst()
                        .orElseThrow();
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        assertThat(deployment.path("spec").path("replicas").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(
                        pod.path("containers")
                                .get(0)
                                .path("readinessProbe")
                                .path("httpGet")
                                .path("path")
                                .asText())
                .isEqualTo("/healthz");
        assertThat(pod.path("volumes").toString()).contains("\"medium\":\"Memory\"");
        assertThat(pod.path("containers").get(0).path("volumeMounts").toString())
                .contains("/dev/shm");
    }

    private static JsonNode networkPolicyFor(java.util.function.Predicate<JsonNode> podLabels) {
        return documentsOfKind("NetworkPolicy").stream()
                .filter(p -> podLabels.test(p.path("spec").path("podSelector").path("matchLabels")))
                .findFirst()
                .orElseThrow();
    }

    private static void assertDeniesPrivateRanges(JsonNode policy) {
        assertThat(policy.path("spec").path("policyTypes").toString()).contains("Egress");
        String rules = policy.path("spec").path("egress").toString();
        for (String range :
                List.of(
                        "10.0.0.0/8",
                        "172.16.0.0/12",
                        "192.168.0.0/16",
                        "169.254.0.0/16",
                        "127.0.0.0/8",
                        "100.64.0.0/10",
                        "fc00::/7",
                        "fe80::/10")) {
            assertThat(rules).contains(range);
        }
    }

    /** An env var named like a secret must come from a secretKeyRef. */
    private static void collectInlinedSecrets(JsonNode node, List<String> problems) {
        if (node.isObject()) {
            if (node.has("name")
                    && node.has("value")
                    && SECRET_NAME.matcher(node.path("name").asText()).matches()) {
                problems.add("inlined secret " + node.path("name").asText());
            }
            node.forEach(child -> collectInlinedSecrets(child, problems));
        } else if (node.isArray()) {
            node.forEach(child -> collectInlinedSecrets(child, problems));
        }
    }

    private static JsonNode composeFile() {
        List<JsonNode> docs = Schemas.documents(Repo.root().resolve("docker-compose.yml"));
        assertThat(docs).hasSize(1);
        return docs.get(0);
    }

    private static List<JsonNode> documentsOfKind(String kind) {
        return allManifests().stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
    }

    private static List<JsonNode> allManifests() {
        try (Stream<Path> files =
                Files.list(Repo.root().resolve("k8s").resolve("flink-operator"))) {
            return files.filter(
                            f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .sorted()
                    .flatMap(f -> Schemas.documents(f).stream())
                    .toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
