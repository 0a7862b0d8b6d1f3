package dev.flinkwatch.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Paths the build hands to the tests (see cluster-tests/pom.xml). */
final class Repo {
    private Repo() {}

    /** The repository root. */
    static Path root() {
        return Path.of(required("flinkwatch.root")).toAbsolutePath().normalize();
    }

    static Path flinkConf() {
        return root().resolve("flink-conf");
    }

    /** The shaded job jar built by jobs/monitor-pipeline. */
    static Path jobJar() {
        Path jar = Path.of(required("flinkwatch.job-jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(
                    jar
                            + " is missing: build it with the reactor (mvn -pl cluster-tests -am verify)");
        }
        return jar;
    }

    /** The Flink distribution's jars: this module's runtime classpath. */
    static List<Path> flinkDist() {
        return classpathFile("flinkwatch.dist-classpath");
    }

    /** A classpath file written by maven-dependency-plugin's build-classpath. */
    static List<Path> classpathFile(String property) {
        try {
            String cp = Files.readString(Path.of(required(property))).trim();
            return Arrays.stream(cp.split(java.io.File.pathSeparator))
                    .filter(s -> !s.isBlank())
                    .map(Path::of)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String required(String property) {
        String value = System.getProperty(property);
        if (value == null) {
            throw new IllegalStateException(
                    "system property " + property + " is not set (run via Maven)");
        }
        return value;
    }
}
