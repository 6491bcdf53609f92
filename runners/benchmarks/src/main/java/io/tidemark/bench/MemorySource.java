package io.tidemark.bench;

import io.tidemark.schemas.EventCoder;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;

/**
 * A registered {@link Workload} as an unbounded Beam source, in batches of {@code batch} events
 * (like the generator's source, to amortise per-element source cost), each stamped with its
 * earliest event. Split {@code s} of {@code n} reads batches {@code s, s + n, ...}; after each
 * batch its watermark is the largest timestamp it has read minus the out-of-orderness bound, so it
 * is never ahead of the reference model's watermark. At the end the watermark goes to the end of
 * time. The events are read from memory in this JVM, not serialized into the job.
 */
final class MemorySource
    extends UnboundedSource<List<TimestampedValue<SpecificRecord>>, MemorySource.Checkpoint> {
  private final String workload;
  private final int batch;
  private final int split;
  private final int splits;

  MemorySource(String workload, int batch, int split, int splits) {
    this.workload = workload;
    this.batch = batch;
    this.split = split;
    this.splits = splits;
  }

  /** The next batch this split reads. */
  record Checkpoint(long nextBatch) implements UnboundedSource.CheckpointMark, Serializable {
    @Override
    public void finalizeCheckpoint() {}
  }

  @Override
  public List<MemorySource> split(int desiredNumSplits, PipelineOptions options) {
    int n = Math.max(1, desiredNumSplits);
    List<MemorySource> all = new ArrayList<>();
    for (int s = 0; s < n; s++) {
      all.add(new MemorySource(workload, batch, s, n));
    }
    return all;
  }

  @Override
  public UnboundedReader<List<TimestampedValue<SpecificRecord>>> createReader(
      PipelineOptions options, Checkpoint checkpoint) {
    return new Reader(checkpoint == null ? split : checkpoint.nextBatch());
  }

  @Override
  public Coder<Checkpoint> getCheckpointMarkCoder() {
    return SerializableCoder.of(Checkpoint.class);
  }

  @Override
  public Coder<List<TimestampedValue<SpecificRecord>>> getOutputCoder() {
    return ListCoder.of(TimestampedValue.TimestampedValueCoder.of(EventCoder.of()));
  }

  private final class Reader extends UnboundedReader<List<TimestampedValue<SpecificRecord>>> {
    private final Workload w = Workload.get(workload);
    private long nextBatch;
    private long maxTimestamp = Long.MIN_VALUE;
    private Instant watermark = BoundedWindow.TIMESTAMP_MIN_VALUE;
    private List<TimestampedValue<SpecificRecord>> current;
    private Instant currentTimestamp;

    Reader(long nextBatch) {
      this.nextBatch = nextBatch;
    }

    @Override
    public boolean start() {
      Engine.Timing.begin();
      return advance();
    }

    @Override
    public boolean advance() {
      long first = nextBatch * batch;
      if (first >= w.events.size()) {
        current = null;
        watermark = BoundedWindow.TIMESTAMP_MAX_VALUE;
        return false;
      }
      int end = (int) Math.min(first + batch, w.events.size());
      List<TimestampedValue<SpecificRecord>> list = new ArrayList<>(end - (int) first);
      long min = Long.MAX_VALUE;
      for (int i = (int) first; i < end; i++) {
        Workload.Event e = w.events.get(i);
        list.add(TimestampedValue.of(e.event(), new Instant(e.timestamp())));
        min = Math.min(min, e.timestamp());
        maxTimestamp = Math.max(maxTimestamp, e.timestamp());
      }
      current = list;
      currentTimestamp = new Instant(min);
      watermark = new Instant(maxTimestamp - w.outOfOrderMillis());
      nextBatch += splits;
      return true;
    }

    @Override
    public List<TimestampedValue<SpecificRecord>> getCurrent() {
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
      return new Checkpoint(nextBatch);
    }

    @Override
    public MemorySource getCurrentSource() {
      return MemorySource.this;
    }

    @Override
    public void close() {}
  }
}
