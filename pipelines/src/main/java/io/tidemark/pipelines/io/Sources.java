package io.tidemark.pipelines.io;

import io.tidemark.pipelines.Events;
import io.tidemark.pipelines.io.kafka.KafkaSource;
import io.tidemark.pipelines.options.SourceOptions;
import io.tidemark.pipelines.options.SourceOptions.Source;
import io.tidemark.pipelines.source.GenerateEvents;
import io.tidemark.pipelines.source.GeneratorConfig;
import io.tidemark.transforms.Parsed;
import io.tidemark.transforms.RawRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.util.Arrays;
import java.util.Base64;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.joda.time.Instant;

/** Reads raw records from the source the options name. */
public final class Sources {
  private Sources() {}

  /** The generator configuration the options describe; fails fast on bad values. */
  public static GeneratorConfig generatorConfig(SourceOptions o) {
    return new GeneratorConfig(
        o.getSeed(),
        o.getGeneratorEvents(),
        o.getEventsPerSecond(),
        o.getUsers(),
        o.getProducts(),
        o.getCategories(),
        Duration.standardSeconds(o.getOutOfOrderSeconds()),
        o.getLateFraction(),
        Duration.standardMinutes(o.getLateMinMinutes()),
        Duration.standardMinutes(o.getLateMaxMinutes()),
        o.getCorruptFraction(),
        o.getFormat() == SourceOptions.Format.JSON,
        Instant.parse("2026-01-05T08:00:00Z"));
  }

  /**
   * Records from the generator, files (a bounded read, or with {@code --fileReplay=STREAM} a {@link
   * FileReplay} of captured lines) or Kafka, each decoded once where it is read: an event stamped
   * with its own event time, or a dead letter (see {@link Events}).
   */
  public static PCollection<Parsed<SpecificRecord>> read(Pipeline p, SourceOptions o) {
    if (o.getFileReplay() == SourceOptions.ReplayMode.STREAM && o.getSource() != Source.FILE) {
      throw new IllegalArgumentException(
          "--fileReplay=STREAM replays files and needs --source=FILE, was --source="
              + o.getSource());
    }
    switch (o.getSource()) {
      case FILE:
        if (o.getInputFiles().isBlank()) {
          throw new IllegalArgumentException("--source=FILE needs --inputFiles, was empty");
        }
        if (o.getFileReplay() == SourceOptions.ReplayMode.STREAM) {
          FileReplay.checkCaptured(o.getInputFiles());
          return p.apply(
              "ReplayFiles",
              FileReplay.of(o.getInputFiles(), Duration.standardSeconds(o.getOutOfOrderSeconds())));
        }
        return Events.decodeRecords(
            p.apply("MatchFiles", FileIO.match().filepattern(o.getInputFiles()))
                .apply("ReadMatches", FileIO.readMatches())
                .apply(
                    "ReadLines",
                    ParDo.of(new ReadLinesFn(o.getFormat() == SourceOptions.Format.AVRO)))
                .setCoder(RawRecord.coder()));
      case KAFKA:
        return KafkaSource.read(p, o);
      default:
        return Events.decodeRecords(
            p.apply(
                "Generate",
                GenerateEvents.of(generatorConfig(o))
                    .withShards(o.getGeneratorShards())
                    .withStepSeconds(o.getGeneratorStepSeconds())));
    }
  }

  /**
   * One raw record per line, its position the line number; AVRO lines are base64 single-object
   * encodings. Lines are read as bytes ({@link ByteLines}): no line can fail the read of its file.
   * Each keeps its file's timestamp, the beginning of time, until it is decoded.
   */
  static final class ReadLinesFn extends DoFn<FileIO.ReadableFile, RawRecord> {
    private final boolean base64;

    ReadLinesFn(boolean base64) {
      this.base64 = base64;
    }

    @ProcessElement
    public void process(@Element FileIO.ReadableFile file, OutputReceiver<RawRecord> out)
        throws IOException {
      String name = file.getMetadata().resourceId().toString();
      try (InputStream in = Channels.newInputStream(file.open())) {
        ByteLines lines = new ByteLines(in);
        long line = 0;
        for (byte[] s = lines.next(); s != null; s = lines.next()) {
          line++;
          byte[] payload = s;
          if (base64) {
            try {
              payload = Base64.getDecoder().decode(trim(s));
            } catch (IllegalArgumentException e) {
              payload = s; // not base64: its decoder reports it
            }
          }
          out.output(new RawRecord(payload, name, line));
        }
      }
    }

    private static byte[] trim(byte[] s) {
      int from = 0;
      int to = s.length;
      while (from < to && (s[from] & 0xFF) <= ' ') {
        from++;
      }
      while (to > from && (s[to - 1] & 0xFF) <= ' ') {
        to--;
      }
      return from == 0 && to == s.length ? s : Arrays.copyOfRange(s, from, to);
    }
  }
}
