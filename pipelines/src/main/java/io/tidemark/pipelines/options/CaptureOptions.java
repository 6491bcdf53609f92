package io.tidemark.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Options of {@code tidemark capture}, besides the Kafka ones. */
public interface CaptureOptions extends SourceOptions {
  @Description(
      "A new or empty local folder that capture writes one file per partition into,"
          + " <topic>-<partition>.tsv: each record's timestamp and value, in offset order.")
  @Default.String("")
  String getCaptureTo();

  void setCaptureTo(String value);
}
