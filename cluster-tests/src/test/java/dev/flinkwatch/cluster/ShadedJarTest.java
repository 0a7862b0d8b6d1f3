package dev.flinkwatch.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The shaded job jar holds our code and the connectors, and nothing the Flink distribution already
 * has: a class in both would be loaded from the jar (child-first) and clash with Flink's copy, or
 * be ignored (parent-first patterns) in favour of a version the code was not built against. Its
 * inputs must not overlap either, or one jar's class silently replaces another's.
 */
class ShadedJarTest {

    @Test
    void containsTheJobAndItsConnectors() throws IOException {
        try (JarFile jar = new JarFile(Repo.jobJar().toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo("dev.flinkwatch.pipeline.MonitorPipelineJob");
            for (String cls :
                    List.of(
                            "dev/flinkwatch/pipeline/MonitorPipelineJob.class",
                            "dev/flinkwatch/fetch/FetchFunction.class",
                            "org/apache/flink/connector/kafka/sink/KafkaSink.class",
                            "dev/flinkwatch/pipeline/sink/PostgresSink.class",
                            "org/apache/kafka/clients/producer/KafkaProducer.class",
                            "org/postgresql/Driver.class")) {
                assertThat(jar.getEntry(cls)).as(cls).isNotNull();
            }
        }
    }

    @Test
    void sharesNoClassWithTheFlinkDistribution() {
        Set<String> dist = new HashSet<>();
        for (Path jar : Repo.flinkDist()) {
            dist.addAll(classes(jar));
        }
        Set<String> clashes = new TreeSet<>(classes(Repo.jobJar()));
        clashes.retainAll(dist);
        assertThat(clashes).as("classes also in the Flink distribution").isEmpty();
    }

    @Test
    void itsInputsDoNotOverlap() {
        // an artifact is its repository folder (group/artifact), whatever version each side has
        Set<Path> distArtifacts = new HashSet<>();
        Repo.flinkDist().forEach(p -> distArtifacts.add(p.getParent().getParent()));
        Map<String, String> owner = new HashMap<>();
        List<String> duplicates = new ArrayList<>();
        for (Path jar : Repo.classpathFile("flinkwatch.shade-inputs")) {
            // jars of the distribution are left out of the shaded jar (see its pom)
            if (distArtifacts.contains(jar.getParent().getParent())
                    || !jar.toString().endsWith(".jar")) {
                continue;
            }
            for (String cls : classes(jar)) {
                String previous = owner.putIfAbsent(cls, jar.getFileName().toString());
                if (previous != null) {
                    duplicates.add(cls + " in " + previous + " and " + jar.getFileName());
                }
            }
        }
        assertThat(owner).hasSizeGreaterThan(1000);
        assertThat(duplicates).isEmpty();
    }

    private static Set<String> classes(Path jar) {
        Set<String> out = new HashSet<>();
        if (Files.isDirectory(jar)) {
            return out;
        }
        try (JarFile file = new JarFile(jar.toFile())) {
            file.stream()
                    .map(ZipEntry::getName)
                    .filter(n -> n.endsWith(".class") && !n.startsWith("META-INF/"))
                    .filter(n -> !n.equals("module-info.class"))
                    .forEach(out::add);
        } catch (IOException e) {
            throw new UncheckedIOException(jar.toString(), e);
        }
        return out;
    }
}
