package io.tidemark.pipelines.source;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import io.tidemark.pipelines.io.Sources;
import io.tidemark.pipelines.options.SourceOptions;
import io.tidemark.transforms.RawRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.TimestampedValue;
import org.junit.Test;

/** The generator's splits: as many as the runner asks for, and every event read exactly once. */
public class GenerateEventsTest {
  static final PipelineOptions OPTIONS = PipelineOptionsFactory.create();
  static final GeneratorConfig CONFIG =
      Sources.generatorConfig(
          PipelineOptionsFactory.fromArgs("--generatorEvents=1000", "--seed=7")
              .as(SourceOptions.class));

  @Test
  public void byDefaultTheRunnerChoosesTheSplitCount() throws Exception {
    assertEquals(4, source(0).split(4, OPTIONS).size());
    assertEquals(1, source(0).split(0, OPTIONS).size());
    assertEquals(3, source(3).split(8, OPTIONS).size());
  }

  @Test
  public void theSplitsTogetherReadEveryEventOnceAcrossACheckpoint() throws Exception {
    for (int shards : new int[] {0, 1, 3}) {
      List<Long> read = new ArrayList<>();
      for (GenerateEvents.Source split : source(shards).split(5, OPTIONS)) {
        GenerateEvents.GeneratorReader reader = split.createReader(OPTIONS, null);
        boolean more = reader.start();
        if (more) {
          addAll(read, reader.getCurrent());
          // Resume from the checkpoint, as a restarted worker does.
          reader = split.createReader(OPTIONS, reader.getCheckpointMark());
          more = reader.start();
        }
        for (; more; more = reader.advance()) {
          addAll(read, reader.getCurrent());
        }
        assertEquals(BoundedWindow.TIMESTAMP_MAX_VALUE, reader.getWatermark());
      }
      read.sort(null);
      assertEquals("shards " + shards, LongStream.range(0, 1000).boxed().toList(), read);
    }
  }

  @Test
  public void aNegativeShardCountIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> GenerateEvents.of(CONFIG).withShards(-1));
    assertEquals("--generatorShards must not be negative, was -1", e.getMessage());
  }

  private static GenerateEvents.Source source(int shards) {
    return new GenerateEvents.Source(CONFIG, 60, 0, shards);
  }

  private static void addAll(List<Long> read, List<TimestampedValue<RawRecord>> batch) {
    batch.forEach(r -> read.add(r.getValue().position()));
  }
}
