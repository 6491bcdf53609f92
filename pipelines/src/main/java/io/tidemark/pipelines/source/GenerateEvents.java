package io.tidemark.pipelines.source;

import static io.tidemark.transforms.Checks.checkArgument;

import io.tidemark.transforms.RawRecord;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;

/**
 * The built-in event generator as an unbounded source with an event-time watermark.
 *
 * <p>Events are read in steps of {@code stepSeconds} of event time. Split {@code s} of {@code n}
 * reads steps {@code s, s + n, s + 2n, ...}; after each step its watermark is the arrival time of
 * the step's last event minus the out-of-orderness bound, so on-time events are never behind it and
 * late events are. Steps make the watermark's granularity a property of the data rather than of how
 * fast a runner reads, and they amortise per-bundle cost (the DirectRunner's is high). When all
 * events are read the watermark goes to the end of time and the pipeline finishes. Events are a
 * pure function of the seed and their index, so the output does not depend on the split count; a
 * checkpoint holds the next step, so a restarted reader resumes exactly there.
 *
 * <p>Each record is stamped with its event time (a corrupt one with the time its event would have
 * had), so that decoding it ({@code Events.decodeRecords}) keeps its timestamp.
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

  /** As many splits as the runner asks for, steps of 30 seconds of event time. */
  public static GenerateEvents of(GeneratorConfig config) {
    return new GenerateEvents(config, 0, 30);
  }

  /** A fixed number of splits; 0 for as many as the runner asks for (its parallelism). */
  public GenerateEvents withShards(int shards) {
    checkArgument(shards >= 0, "--generatorShards must not be negative, was %s", shards);
    return new GenerateEvents(config, shards, stepSeconds);
  }

  public GenerateEvents withStepSeconds(int stepSeconds) {
    checkArgument(stepSeconds > 0, "--generatorStepSeconds must be positive, was %s", stepSeconds);
    return new GenerateEvents(config, shards, stepSeconds);
  }

  @Override
  public PCollection<RawRecord> expand(PBegin begin) {
    long perStep = Math.max(1, (long) stepSeconds * config.eventsPerSecond());
    return begin
        .apply("Read", Read.from(new Source(config, perStep, 0, shards)))
        .apply("Unbatch", ParDo.of(new UnbatchFn()))
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

  /** One step of events, stamped with the earliest of them. */
  static final class Source extends UnboundedSource<List<TimestampedValue<RawRecord>>, Checkpoint> {
    private final GeneratorConfig config;
    private final long perStep;
    private final int split;
    private final int splits;

    Source(GeneratorConfig config, long perStep, int split, int splits) {
      this.config = config;
      this.perStep = perStep;
      this.split = split;
      this.splits = splits;
    }

    @Override
    public List<Source> split(int desiredNumSplits, PipelineOptions options) {
      int n = splits > 0 ? splits : Math.max(1, desiredNumSplits);
      List<Source> all = new ArrayList<>();
      for (int s = 0; s < n; s++) {
        all.add(new Source(config, perStep, s, n));
      }
      return all;
    }

    @Override
    public GeneratorReader createReader(PipelineOptions options, Checkpoint checkpoint) {
      return new GeneratorReader(this, checkpoint == null ? split : checkpoint.nextStep());
    }

    @Override
    public Coder<Checkpoint> getCheckpointMarkCoder() {
      return SerializableCoder.of(Checkpoint.class);
    }

    @Override
    public Coder<List<TimestampedValue<RawRecord>>> getOutputCoder() {
      return ListCoder.of(TimestampedValue.TimestampedValueCoder.of(RawRecord.coder()));
    }
  }

  /** The next step to read. */
  public record Checkpoint(long nextStep) implements UnboundedSource.CheckpointMark, Serializable {
    @Override
    public void finalizeCheckpoint() {}
  }

  static final class GeneratorReader
      extends UnboundedSource.UnboundedReader<List<TimestampedValue<RawRecord>>> {
    private final Source source;
    private final EventGenerator generator;
    private long nextStep;
    private List<TimestampedValue<RawRecord>> current;
    private Instant currentTimestamp;
    private Instant watermark = BoundedWindow.TIMESTAMP_MIN_VALUE;

    GeneratorReader(Source source, long nextStep) {
      this.source = source;
      this.generator = new EventGenerator(source.config);
      this.nextStep = nextStep;
    }

    @Override
    public boolean start() {
      return advance();
    }

    @Override
    public boolean advance() {
      long first = nextStep * source.perStep;
      if (first >= source.config.maxEvents()) {
        current = null;
        watermark = BoundedWindow.TIMESTAMP_MAX_VALUE;
        return false;
      }
      long end = Math.min(first + source.perStep, source.config.maxEvents());
      List<TimestampedValue<RawRecord>> batch = new ArrayList<>((int) (end - first));
      Instant min = BoundedWindow.TIMESTAMP_MAX_VALUE;
      for (long i = first; i < end; i++) {
        EventGenerator.Generated g = generator.generate(i);
        batch.add(TimestampedValue.of(new RawRecord(g.payload(), "generator", i), g.timestamp()));
        min = g.timestamp().isBefore(min) ? g.timestamp() : min;
      }
      current = batch;
      currentTimestamp = min;
      watermark = source.config.watermarkAfter(end - 1);
      nextStep += Math.max(1, source.splits);
      return true;
    }

    @Override
    public List<TimestampedValue<RawRecord>> getCurrent() {
      if (current == null) {
        throw new NoSuchElementException();
      }
      return current;
    }

    @Override
    public Instant getCurrentTimestamp() {
      if (current == null) {
        throw new NoSuchElementException();
      }
      return currentTimestamp;
    }

    @Override
    public Instant getWatermark() {
      return watermark;
    }

    @Override
    public Checkpoint getCheckpointMark() {
      return new Checkpoint(nextStep);
    }

    @Override
    public Source getCurrentSource() {
      return source;
    }

    @Override
    public void close() {}
  }

  static final class UnbatchFn extends DoFn<List<TimestampedValue<RawRecord>>, RawRecord> {
    @ProcessElement
    public void process(
        @Element List<TimestampedValue<RawRecord>> batch, OutputReceiver<RawRecord> out) {
      for (TimestampedValue<RawRecord> r : batch) {
        out.outputWithTimestamp(r.getValue(), r.getTimestamp());
      }
    }
  }
}
