package io.tidemark.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Where events come from. */
public interface SourceOptions extends GeneratorOptions, KafkaOptions {
  /** The kinds of source. */
  enum Source {
    GENERATOR,
    FILE,
    KAFKA
  }

  /** How a FILE source replays its files. */
  enum ReplayMode {
    /**
     * One bounded read of the lines; the watermark jumps to the end at once, so nothing is late.
     */
    BATCH,
    /**
     * Captured lines ({@code <record timestamp ms>\t<base64 record>}) in file order, with the Kafka
     * source's watermark: late routing as it was live.
     */
    STREAM
  }

  /** Record formats. */
  enum Format {
    JSON,
    AVRO
  }

  @Description("Source of events: GENERATOR (built in, no setup), FILE (replay) or KAFKA.")
  @Default.Enum("GENERATOR")
  Source getSource();

  void setSource(Source value);

  @Description(
      "Files to replay with --source=FILE (a glob). JSON lines; with --format=AVRO, one"
          + " base64 single-object-encoded record per line.")
  @Default.String("")
  String getInputFiles();

  void setInputFiles(String value);

  @Description(
      "How --source=FILE replays: BATCH (one bounded read; nothing is late) or STREAM (captured"
          + " lines '<record timestamp ms><TAB><base64 record>', as capture writes them, in file"
          + " order; each file a partition with the Kafka watermark: greatest event time read"
          + " minus --outOfOrderSeconds, minimum over files; late events are late as they were"
          + " live).")
  @Default.Enum("BATCH")
  ReplayMode getFileReplay();

  void setFileReplay(ReplayMode value);

  @Description(
      "Format of the generated and replayed records: JSON (lines) or AVRO (single-object).")
  @Default.Enum("JSON")
  Format getFormat();

  void setFormat(Format value);
}
