package io.tidemark.pipelines.io;

import io.tidemark.pipelines.Events;
import io.tidemark.transforms.Parsed;
import io.tidemark.transforms.RawRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * A streaming replay of captured files ({@code --source=FILE --fileReplay=STREAM}): each file is
 * one partition, read in line order (its arrival order), each record decoded once as it is read
 * ({@link Events#decode(RawRecord)}) and stamped as the Kafka source stamps it: an event with its
 * own event time, an undecodable record with its captured record timestamp. The watermark is the
 * Kafka source's: per file the greatest of those times minus the out-of-orderness bound ({@link
 * OutOfOrdernessWatermark}), never moved by wall-clock time, and the runner takes the minimum over
 * the files. There is no idle timeout: a file that has not ended holds the others back, as an empty
 * partition does in a replay from Kafka. At the end of a file its watermark goes to the end of
 * time, so the run ends when every file is read.
 *
 * <p>A captured line ({@link #line}) is {@code <record timestamp, epoch milliseconds>\t<record,
 * base64>}: the bytes of a Kafka record value and its timestamp, as {@code tidemark capture} writes
 * them. A line that is not one is decoded as it is (most often a dead letter naming its file and
 * line) and moves no watermark: an event is stamped with its event time, a dead letter with the
 * greatest time read before it.
 *
 * <p>A checkpoint holds the lines read and the watermark state, so a restored reader resumes at the
 * next line with the same watermark.
 *
 * <p>The transform, its source, reader and checkpoint are one class, as in Beam's own IOs: they
 * share the line format and the watermark rule, and none is used alone.
 */
public final class FileReplay extends PTransform<PBegin, PCollection<Parsed<SpecificRecord>>> {
  private final String glob;
  private final Duration bound;

  private FileReplay(String glob, Duration bound) {
    this.glob = glob;
    this.bound = bound;
  }

  /**
   * Replays the files matching {@code glob} with the out-of-orderness bound {@code bound}.
   *
   * @throws IllegalArgumentException naming the option and value for an empty glob or a negative
   *     bound
   */
  public static FileReplay of(String glob, Duration bound) {
    if (glob == null || glob.isBlank()) {
      throw new IllegalArgumentException("--source=FILE needs --inputFiles, was empty");
    }
    if (bound.getMillis() < 0) {
      throw new IllegalArgumentException(
          "--outOfOrderSeconds must not be negative, was " + bound.getStandardSeconds());
    }
    return new FileReplay(glob, bound);
  }

  /**
   * Fails, naming the file, unless the first line of each local file matching {@code glob} is a
   * captured line (an empty file is a capture of an empty partition): a file of plain records would
   * otherwise become dead letters line by line. Remote globs are left to the runner.
   */
  public static void checkCaptured(String glob) {
    if (glob.contains("://")) {
      return;
    }
    try {
      MatchResult match = FileSystems.match(List.of(glob)).get(0);
      if (match.status() != MatchResult.Status.OK) {
        return; // the glob check reports it
      }
      for (MatchResult.Metadata m : match.metadata()) {
        String name = m.resourceId().toString();
        try (InputStream in = Channels.newInputStream(FileSystems.open(m.resourceId()))) {
          byte[] first = new ByteLines(in).next();
          if (first != null && ReplayReader.recordTime(first) == Long.MIN_VALUE) {
            throw new IllegalArgumentException(
                "--fileReplay=STREAM reads lines '<record timestamp ms><TAB><base64 record>' as"
                    + " capture writes them; line 1 of "
                    + name
                    + " is not one (--inputFiles="
                    + glob
                    + ")");
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(
          String.format("--inputFiles cannot be read, was '%s': %s", glob, e.getMessage()));
    }
  }

  /**
   * The captured line of a record with timestamp {@code eventTimeMillis} and bytes {@code value}.
   */
  public static String line(long eventTimeMillis, byte[] value) {
    return eventTimeMillis + "\t" + Base64.getEncoder().encodeToString(value);
  }

  @Override
  public PCollection<Parsed<SpecificRecord>> expand(PBegin begin) {
    return begin.apply("Replay", Read.from(new Source(glob, null, bound.getMillis())));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("inputFiles", glob))
        .add(DisplayData.item("outOfOrderness", bound));
  }

  /** The files of the glob, or (after a split) one of them. */
  static final class Source extends UnboundedSource<Parsed<SpecificRecord>, Position> {
    private final String glob;
    private final String file; // null before the split
    private final long boundMillis;

    Source(String glob, String file, long boundMillis) {
      this.glob = glob;
      this.file = file;
      this.boundMillis = boundMillis;
    }

    /** One source per matching file, in name order, whatever the desired number. */
    @Override
    public List<Source> split(int desiredNumSplits, PipelineOptions options) throws IOException {
      if (file != null) {
        return List.of(this);
      }
      MatchResult match = FileSystems.match(List.of(glob)).get(0);
      if (match.status() != MatchResult.Status.OK || match.metadata().isEmpty()) {
        throw new IOException("--inputFiles matches no file, was '" + glob + "'");
      }
      List<String> files = new ArrayList<>();
      for (MatchResult.Metadata m : match.metadata()) {
        files.add(m.resourceId().toString());
      }
      files.sort(null);
      List<Source> splits = new ArrayList<>();
      for (String f : files) {
        splits.add(new Source(glob, f, boundMillis));
      }
      return splits;
    }

    @Override
    public ReplayReader createReader(PipelineOptions options, Position checkpoint)
        throws IOException {
      if (file == null) {
        List<Source> splits = split(1, options);
        if (splits.size() != 1) {
          throw new IllegalStateException(
              "the replay of " + glob + " must be split into its files before it is read");
        }
        return splits.get(0).createReader(options, checkpoint);
      }
      return new ReplayReader(this, checkpoint == null ? Position.START : checkpoint);
    }

    @Override
    public Coder<Position> getCheckpointMarkCoder() {
      return SerializableCoder.of(Position.class);
    }

    @Override
    public Coder<Parsed<SpecificRecord>> getOutputCoder() {
      return Events.decodedCoder();
    }
  }

  /** Lines read, and the watermark state after them. */
  public record Position(long lines, long maxEventTime, long watermark)
      implements UnboundedSource.CheckpointMark, Serializable {
    /** Before the first line. */
    static final Position START =
        new Position(0, Long.MIN_VALUE, BoundedWindow.TIMESTAMP_MIN_VALUE.getMillis());

    @Override
    public void finalizeCheckpoint() {}
  }

  static final class ReplayReader extends UnboundedSource.UnboundedReader<Parsed<SpecificRecord>> {
    private final Source source;
    private final OutOfOrdernessWatermark watermark;
    private long lines;
    private InputStream in;
    private ByteLines byteLines;
    private boolean ended;
    private Parsed<SpecificRecord> current;
    private Instant currentTimestamp;

    ReplayReader(Source source, Position from) {
      this.source = source;
      this.watermark = new OutOfOrdernessWatermark(source.boundMillis);
      if (from.maxEventTime() != Long.MIN_VALUE) {
        watermark.observe(from.maxEventTime());
      }
      watermark.raiseTo(from.watermark());
      this.lines = from.lines();
    }

    @Override
    public boolean start() throws IOException {
      in =
          Channels.newInputStream(
              FileSystems.open(FileSystems.matchNewResource(source.file, false)));
      byteLines = new ByteLines(in);
      for (long skip = 0; skip < lines; skip++) {
        if (byteLines.next() == null) {
          break;
        }
      }
      return advance();
    }

    @Override
    public boolean advance() throws IOException {
      byte[] line = ended ? null : byteLines.next();
      if (line == null) {
        ended = true;
        current = null;
        return false;
      }
      lines++;
      long recordTime = recordTime(line);
      byte[] payload = recordTime == Long.MIN_VALUE ? line : value(line);
      boolean captured = recordTime != Long.MIN_VALUE && payload != null;
      if (!captured) { // decoded as it is
        payload = line;
      }
      current = Events.decode(new RawRecord(payload, source.file, lines));
      if (current.ok()) {
        long time = Events.eventTime(current.value());
        if (captured) {
          watermark.observe(time);
        }
        currentTimestamp = new Instant(time);
      } else if (captured) {
        watermark.observe(recordTime);
        currentTimestamp = clamp(recordTime);
      } else {
        long max = watermark.maxEventTime();
        currentTimestamp = max == Long.MIN_VALUE ? BoundedWindow.TIMESTAMP_MIN_VALUE : clamp(max);
      }
      return true;
    }

    /** The line's record timestamp, or {@link Long#MIN_VALUE} if it is no captured line. */
    static long recordTime(byte[] line) {
      int tab = indexOfTab(line);
      if (tab <= 0) {
        return Long.MIN_VALUE;
      }
      try {
        return Long.parseLong(new String(line, 0, tab, StandardCharsets.US_ASCII));
      } catch (NumberFormatException e) {
        return Long.MIN_VALUE;
      }
    }

    /** The record after the tab, or null if it is not base64. */
    private static byte[] value(byte[] line) {
      int tab = indexOfTab(line);
      try {
        return Base64.getDecoder()
            .decode(new String(line, tab + 1, line.length - tab - 1, StandardCharsets.US_ASCII));
      } catch (IllegalArgumentException e) {
        return null;
      }
    }

    private static int indexOfTab(byte[] line) {
      for (int i = 0; i < line.length; i++) {
        if (line[i] == '\t') {
          return i;
        }
      }
      return -1;
    }

    private static Instant clamp(long millis) {
      return new Instant(
          Math.max(
              BoundedWindow.TIMESTAMP_MIN_VALUE.getMillis(),
              Math.min(BoundedWindow.TIMESTAMP_MAX_VALUE.getMillis(), millis)));
    }

    @Override
    public Parsed<SpecificRecord> getCurrent() {
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
      return ended ? BoundedWindow.TIMESTAMP_MAX_VALUE : new Instant(watermark.current());
    }

    @Override
    public Position getCheckpointMark() {
      return new Position(lines, watermark.maxEventTime(), watermark.current());
    }

    @Override
    public Source getCurrentSource() {
      return source;
    }

    @Override
    public void close() throws IOException {
      if (in != null) {
        in.close();
      }
    }
  }
}
