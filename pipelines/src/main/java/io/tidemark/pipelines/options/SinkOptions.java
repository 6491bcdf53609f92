package io.tidemark.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where results go. */
public interface SinkOptions extends PipelineOptions {
  @Description(
      "Folder for the output: each pipeline writes results/, late/ and dead-letters/ JSON lines"
          + " under <outputDir>/<pipeline>/.")
  @Default.String("out")
  String getOutputDir();

  void setOutputDir(String value);

  @Description("Processing-time seconds between output file flushes.")
  @Default.Integer(5)
  int getFlushSeconds();

  void setFlushSeconds(int value);
}
