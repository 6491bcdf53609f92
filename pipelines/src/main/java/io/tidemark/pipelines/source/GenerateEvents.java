package io.tidemark.pipelines.source;

import static io.tidemark.transforms.Checks.checkArgument;

import io.tidemark.transforms.RawRecord;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.io.range.OffsetRange;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.splittabledofn.ManualWatermarkEstimator;
import org.apache.beam.sdk.transforms.splittabledofn.OffsetRangeTracker;
import org.apache.beam.sdk.transforms.splittabledofn.RestrictionTracker;
import org.apache.beam.sdk.transforms.splittabledofn.WatermarkEstimators;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Instant;

/**
 * The built-in event generator as an unbounded source with an event-time watermark.
 *
 * <p>Shard {@code s} of {@code n} emits events {@code s, s + n, s + 2n, ...} from a splittable
 * DoFn, in steps of {@code stepSeconds} of event time: after each step it sets its watermark to the
 * arrival time of its last event minus the out-of-orderness bound (on-time events are never behind
 * it, late events are) and returns, so the runner checkpoints and the watermark moves. Steps make
 * the watermark's granularity a property of the data, not of how fast a runner processes it. When
 * all events are emitted the watermark goes to the end of time and the pipeline finishes. Events
 * are a pure function of the seed and their index, so the output does not depend on the shard
 * count, and a restarted shard resumes exactly at its last claimed event.
 */
public final class GenerateEvents extends PTransform<PBegin, PCollection<RawRecord>> {
  private final GeneratorConfig config;
  private final int shards;
  private final int stepSeconds;

  private GenerateEvents(GeneratorConfig config, int shards, int stepSeconds) {
    this.config = config;
    this.shards = shards;
    this.stepSeconds = stepSeconds;
  }

  /** One shard, steps of 30 seconds of event time. */
  public static GenerateEvents of(GeneratorConfig config) {
    return new GenerateEvents(config, 1, 30);
  }

  public GenerateEvents withShards(int shards) {
    checkArgument(shards > 0, "generatorShards must be positive, was %s", shards);
    return new GenerateEvents(config, shards, stepSeconds);
  }

  public GenerateEvents withStepSeconds(int stepSeconds) {
    checkArgument(stepSeconds > 0, "generatorStepSeconds must be positive, was %s", stepSeconds);
    return new GenerateEvents(config, shards, stepSeconds);
  }

  @Override
  public PCollection<RawRecord> expand(PBegin begin) {
    List<Integer> shardIds = IntStream.range(0, shards).boxed().collect(Collectors.toList());
    return begin
        .apply("Shards", Create.of(shardIds).withCoder(VarIntCoder.of()))
        .apply("Generate", ParDo.of(new GenerateFn(config, shards, stepSeconds)))
        .setCoder(RawRecord.coder());
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("seed", config.seed()))
        .add(DisplayData.item("events", config.maxEvents()))
        .add(DisplayData.item("shards", shards))
        .add(DisplayData.item("stepSeconds", stepSeconds));
  }

  @DoFn.UnboundedPerElement
  static final class GenerateFn extends DoFn<Integer, RawRecord> {
    private final GeneratorConfig config;
    private final int shards;
    private final long stepMillis;
    private transient EventGenerator generator;

    GenerateFn(GeneratorConfig config, int shards, int stepSeconds) {
      this.config = config;
      this.shards = shards;
      this.stepMillis = stepSeconds * 1000L;
    }

    @Setup
    public void setup() {
      generator = new EventGenerator(config);
    }

    /** Positions {@code k} of a shard are the events {@code k * shards + shard}. */
    @GetInitialRestriction
    public OffsetRange initialRestriction(@Element Integer shard) {
      return new OffsetRange(0, Math.max(0, (config.maxEvents() - shard + shards - 1) / shards));
    }

    @NewTracker
    public OffsetRangeTracker newTracker(@Restriction OffsetRange range) {
      return new OffsetRangeTracker(range);
    }

    @GetInitialWatermarkEstimatorState
    public Instant initialWatermark() {
      return BoundedWindow.TIMESTAMP_MIN_VALUE;
    }

    @NewWatermarkEstimator
    public WatermarkEstimators.Manual newWatermarkEstimator(
        @WatermarkEstimatorState Instant state) {
      return new WatermarkEstimators.Manual(state);
    }

    @ProcessElement
    public ProcessContinuation process(
        @Element Integer shard,
        RestrictionTracker<OffsetRange, Long> tracker,
        ManualWatermarkEstimator<Instant> watermark,
        OutputReceiver<RawRecord> out) {
      long k = tracker.currentRestriction().getFrom();
      Instant stepEnd = config.arrival(k * shards + shard).plus(stepMillis);
      for (; tracker.tryClaim(k); k++) {
        long index = k * shards + shard;
        EventGenerator.Generated g = generator.generate(index);
        out.outputWithTimestamp(new RawRecord(g.payload(), "generator", index), g.timestamp());
        watermark.setWatermark(config.watermarkAfter(index));
        if (!config.arrival(index + shards).isBefore(stepEnd)) {
          return ProcessContinuation.resume();
        }
      }
      return ProcessContinuation.stop();
    }
  }
}
