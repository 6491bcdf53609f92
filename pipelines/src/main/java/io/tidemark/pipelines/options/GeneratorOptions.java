package io.tidemark.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** The built-in event generator. */
public interface GeneratorOptions extends PipelineOptions {
  @Description("Seed of the generator: the same seed gives the same events.")
  @Default.Long(42)
  long getSeed();

  void setSeed(long value);

  @Description("How many records the generator emits before it finishes.")
  @Default.Long(15_000)
  long getGeneratorEvents();

  void setGeneratorEvents(long value);

  @Description(
      "Generator shards: splits that generate in parallel; 0, the default, takes as many as the"
          + " runner asks for (its parallelism). Events do not depend on the count; with more than"
          + " one split the watermark is the slowest split's, so how late a late event lands can"
          + " depend on the runner's timing. 1 makes late routing reproducible run to run.")
  @Default.Integer(0)
  int getGeneratorShards();

  void setGeneratorShards(int value);

  @Description(
      "Seconds of event time per generator step; each shard's watermark advances after each step.")
  @Default.Integer(30)
  int getGeneratorStepSeconds();

  void setGeneratorStepSeconds(int value);

  @Description("Events per second of event time (not of wall-clock time).")
  @Default.Integer(2)
  int getEventsPerSecond();

  void setEventsPerSecond(int value);

  @Description("Number of distinct users.")
  @Default.Integer(20)
  int getUsers();

  void setUsers(int value);

  @Description("Number of distinct products and pieces of content.")
  @Default.Integer(200)
  int getProducts();

  void setProducts(int value);

  @Description("Number of content categories.")
  @Default.Integer(12)
  int getCategories();

  void setCategories(int value);

  @Description(
      "Out-of-orderness bound: on-time events are up to this many seconds behind arrival. With"
          + " --source=KAFKA, the watermark is the greatest event time read minus this bound.")
  @Default.Integer(20)
  int getOutOfOrderSeconds();

  void setOutOfOrderSeconds(int value);

  @Description("Fraction of events that arrive late, behind the watermark.")
  @Default.Double(0.02)
  double getLateFraction();

  void setLateFraction(double value);

  @Description("Late events are at least this many minutes behind the watermark.")
  @Default.Integer(2)
  int getLateMinMinutes();

  void setLateMinMinutes(int value);

  @Description("Late events are at most this many minutes behind the watermark.")
  @Default.Integer(40)
  int getLateMaxMinutes();

  void setLateMaxMinutes(int value);

  @Description("Fraction of records that are corrupt (bad JSON, missing fields, truncated, ...).")
  @Default.Double(0.01)
  double getCorruptFraction();

  void setCorruptFraction(double value);
}
