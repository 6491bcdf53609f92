package io.tidemark.runners.flink;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.tidemark.pipelines.Tidemark;
import java.util.List;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Test;

/**
 * The CLI's defaults on the FlinkRunner: file writes shard so that Flink's parallel writers get as
 * many shards each ({@code FlinkBalanceSystemTest} measures it on a cluster).
 */
public class FlinkDefaultsTest {
  private static FlinkPipelineOptions parse(String... args) {
    return PipelineOptionsFactory.fromArgs(Tidemark.withFlinkRunnerDefaults(args))
        .as(FlinkPipelineOptions.class);
  }

  @Test
  public void balancedFileShardingIsOnForTheFlinkRunnerHoweverItIsNamed() {
    for (String runner :
        List.of(
            "FlinkRunner", "flink", "flinkrunner", "org.apache.beam.runners.flink.FlinkRunner")) {
      assertTrue(runner, parse("--runner=" + runner).isAutoBalanceWriteFilesShardingEnabled());
    }
  }

  @Test
  public void anExplicitValueStaysAndOtherRunnersGetNone() {
    assertFalse(
        parse("--runner=FlinkRunner", "--autoBalanceWriteFilesShardingEnabled=false")
            .isAutoBalanceWriteFilesShardingEnabled());
    String[] direct = {"--runner=DirectRunner"};
    assertEquals(List.of(direct), List.of(Tidemark.withFlinkRunnerDefaults(direct)));
    assertEquals(List.of(), List.of(Tidemark.withFlinkRunnerDefaults(new String[0])));
  }
}
