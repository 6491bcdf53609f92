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
      "Format of the generated and replayed records: JSON (lines) or AVRO (single-object).")
  @Default.Enum("JSON")
  Format getFormat();

  void setFormat(Format value);
}
