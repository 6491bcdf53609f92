package io.tidemark.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where results go. */
public interface SinkOptions extends PipelineOptions {
  @Description(
      "Folder for the output: each pipeline writes results/ and late/ JSON lines under"
          + " <outputDir>/<pipeline>/, undecodable records go to <outputDir>/dead-letters/, and"
          + " a finished run writes <outputDir>/_SUCCESS.json last.")
  @Default.String("out")
  String getOutputDir();

  void setOutputDir(String value);

  @Description(
      "Replace the output of an earlier run in --outputDir. Without it, a run refuses a folder"
          + " that holds output; with it, a run still refuses one that holds other files.")
  @Default.Boolean(false)
  boolean getOverwrite();

  void setOverwrite(boolean value);

  @Description("Processing-time seconds between output file flushes.")
  @Default.Integer(5)
  int getFlushSeconds();

  void setFlushSeconds(int value);

  @Description(
      "Parallel writers per file output, each writing at most one file per flush; 0, the default,"
          + " takes the runner's parallelism.")
  @Default.Integer(0)
  int getFileShards();

  void setFileShards(int value);

  @Description(
      "Write a self-contained HTML report of the run to this local file: result records per window"
          + " of event time, event time against arrival with the watermark, and the accounting. The"
          + " demo writes <outputDir>/report.html unless given another file.")
  @Default.String("")
  String getReport();

  void setReport(String value);
}
