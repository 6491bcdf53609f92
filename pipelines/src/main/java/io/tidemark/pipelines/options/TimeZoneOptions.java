package io.tidemark.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** The zone in which hours of day are computed from event times. */
public interface TimeZoneOptions extends PipelineOptions {
  @Description("Time zone of hours of day, a zone id such as UTC, Europe/Paris or +02:00.")
  @Default.String("UTC")
  String getTimeZone();

  void setTimeZone(String value);
}
