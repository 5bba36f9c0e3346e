package io.segpipe.jobs.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.test.Required;
import io.segpipe.common.test.Scripts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What can be checked of deploy/ without Airflow, Kubernetes or Docker: every Airflow DAG
 * byte-compiles with python3, and every Kubernetes manifest is well-formed YAML (no duplicate keys)
 * naming a Spark application kind of the Spark operator's API with the bundle's main class.
 */
class DeploymentFilesTest {
  @TempDir Path dir;

  private static boolean python(String module) {
    try {
      Process p =
          new ProcessBuilder("python3", "-c", "import " + module).redirectErrorStream(true).start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static String run(Path log, List<String> command) throws Exception {
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command));
    String out = Files.readString(log);
    assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
    return out;
  }

  private static List<Path> files(String folder, String suffix) throws IOException {
    try (Stream<Path> files = Files.list(Scripts.projectRoot().resolve("deploy").resolve(folder))) {
      return files.filter(f -> f.toString().endsWith(suffix)).sorted().toList();
    }
  }

  @Test
  void theAirflowDagsCompileAndTheManifestsAreSparkApplications() throws Exception {
    Required.that(
        python("yaml"),
        "python3 with PyYAML is missing (apt-get install -y python3-yaml, or"
            + " scripts/ci-install-deps)");
    List<Path> dags = files("airflow", ".py");
    assertEquals(2, dags.size(), "the daily and the weekly DAG: " + dags);
    for (Path dag : dags) {
      run(
          dir.resolve("compile.log"),
          List.of(
              "python3",
              "-c",
              "import py_compile, sys;"
                  + " py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)",
              dag.toString(),
              dir.resolve(dag.getFileName() + "c").toString()));
      String text = Files.readString(dag);
      assertTrue(
          text.contains("SparkSubmitOperator")
              && !text.contains("BashOperator")
              && !text.contains("mvn "),
          dag + " submits the bundle and never builds");
    }
    List<Path> manifests = files("kubernetes", ".yaml");
    assertTrue(manifests.size() >= 1, "manifests: " + manifests);
    List<String> command =
        new ArrayList<>(
            List.of(
                "python3",
                "-c",
                String.join(
                    "\n",
                    "import sys, yaml",
                    "class Strict(yaml.SafeLoader): pass",
                    "def mapping(loader, node, deep=False):",
                    "    keys = [loader.construct_object(k, deep=deep) for k, _ in node.value]",
                    "    if len(keys) != len(set(keys)): raise ValueError('duplicate key in %s' % node.start_mark)",
                    "    return loader.construct_mapping(node, deep)",
                    "Strict.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)",
                    "for f in sys.argv[1:]:",
                    "    for doc in yaml.load_all(open(f), Loader=Strict):",
                    "        spec = doc['spec'].get('template', doc['spec'])",
                    "        print(f, doc['apiVersion'], doc['kind'], spec['mainClass'], spec['mainApplicationFile'])")));
    manifests.forEach(m -> command.add(m.toString()));
    String out = run(dir.resolve("yaml.log"), command);
    for (Path manifest : manifests) {
      assertTrue(out.contains(manifest + " sparkoperator.k8s.io/v1beta2 "), out);
    }
    assertTrue(
        out.contains(
            "SparkApplication io.segpipe.jobs.pipeline.PipelineJob local:///opt/segpipe/segpipe-bundle.jar"),
        out);
  }
}
