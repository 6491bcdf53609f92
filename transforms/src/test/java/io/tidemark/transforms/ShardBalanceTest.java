package io.tidemark.transforms;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.KV;
import org.junit.Test;

/**
 * {@link LateEvents} spreads its routing over shards by key: with a realistic key set no shard gets
 * much more than its fair share of the records, and the default shard count follows the runner's
 * parallelism.
 */
public class ShardBalanceTest {
  /**
   * Records as the pipelines key them: 1,000 users {@code u0..u999} with 1 to 20 events each, and
   * 200 products {@code p0..p199} with 1 to 7 events each (keys as the generator names them).
   */
  private static List<KV<String, Integer>> records() {
    List<KV<String, Integer>> records = new ArrayList<>();
    for (int user = 0; user < 1000; user++) {
      for (int i = 0; i <= user % 20; i++) {
        records.add(KV.of("u" + user, i));
      }
    }
    for (int product = 0; product < 200; product++) {
      for (int i = 0; i <= product % 7; i++) {
        records.add(KV.of("p" + product, i));
      }
    }
    return records;
  }

  /** The largest share of the records any one shard gets. */
  private static double largestShare(List<KV<String, Integer>> records, int shards) {
    long[] counts = new long[shards];
    for (KV<String, Integer> r : records) {
      counts[LateEvents.shardOf(r, shards)]++;
    }
    long max = 0;
    long total = 0;
    for (long c : counts) {
      max = Math.max(max, c);
      total += c;
    }
    assertEquals(records.size(), total);
    return (double) max / total;
  }

  @Test
  public void twoShardsGetNoMoreThanSixtyPercentEach() {
    double share = largestShare(records(), 2);
    assertTrue("largest share of 2 shards: " + share, share <= 0.60);
  }

  @Test
  public void fourShardsGetNoMoreThanThirtyFivePercentEach() {
    double share = largestShare(records(), 4);
    assertTrue("largest share of 4 shards: " + share, share <= 0.35);
  }

  @Test
  public void manyShardsStayNearTheirFairShare() {
    // The default on a 3-task DirectRunner is 12 shards, on a 4-task Flink job 16: each within
    // half again its fair share. With 64 shards there are only about 19 keys per shard, so chance
    // alone puts some shard near 1.7 times its share: bounded by twice.
    for (int shards : new int[] {12, 16}) {
      double share = largestShare(records(), shards);
      assertTrue("largest share of " + shards + " shards: " + share, share <= 1.5 / shards);
    }
    double share = largestShare(records(), 64);
    assertTrue("largest share of 64 shards: " + share, share <= 2.0 / 64);
  }

  @Test
  public void theEventsOfAKeyShareAShard() {
    assertEquals(LateEvents.shardOf(KV.of("u42", 1), 12), LateEvents.shardOf(KV.of("u42", 99), 12));
    // Ids that differ in their last character only still spread over all shards.
    boolean[] hit = new boolean[4];
    for (int user = 0; user < 40; user++) {
      hit[LateEvents.shardOf(KV.of("u" + user, 0), 4)] = true;
    }
    assertTrue(hit[0] && hit[1] && hit[2] && hit[3]);
  }

  @Test
  public void defaultShardsAreFourPerParallelTask() {
    DirectOptions direct = PipelineOptionsFactory.as(DirectOptions.class);
    direct.setTargetParallelism(5);
    assertEquals(20, LateEvents.defaultShards(direct));
    direct.setTargetParallelism(30000);
    assertEquals(LateEvents.MAX_SHARDS, LateEvents.defaultShards(direct));
    PipelineOptions unknownRunner = PipelineOptionsFactory.create();
    unknownRunner.setRunner(null);
    assertEquals(
        LateEvents.SHARDS_PER_TASK * Runtime.getRuntime().availableProcessors(),
        LateEvents.defaultShards(unknownRunner));
  }
}
