package io.tidemark.pipelines;

import io.tidemark.pipelines.options.JobOptions;
import io.tidemark.pipelines.options.KafkaSinkOptions;
import io.tidemark.pipelines.options.SourceOptions;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The one home of the checks on what a run's options can guarantee after a failure, made before
 * anything runs: settings that would silently lose the exactly-once guarantee fail ({@link
 * #check}), settings that lose progress on a failure warn ({@link #warnings}).
 */
public final class Guarantees {
  private Guarantees() {}

  /** The FlinkRunner's checkpoint interval, read without depending on that runner. */
  public interface Checkpointing extends PipelineOptions {
    @Description("Flink checkpoint interval in milliseconds (-1: no checkpoints).")
    @Default.Long(-1L)
    Long getCheckpointingInterval();

    void setCheckpointingInterval(Long value);
  }

  /**
   * Fails unless {@code --kafkaEos} can keep its guarantee: Kafka sink, FlinkRunner, checkpointing
   * on, a source that does not end. Each of these otherwise loses it silently or never finishes, so
   * each fails naming the option and why.
   *
   * @throws IllegalArgumentException naming the option and its value
   */
  public static void check(JobOptions o) {
    if (!o.getKafkaEos()) {
      return;
    }
    Options.require(
        o.getSink() == KafkaSinkOptions.Sink.KAFKA,
        "--kafkaEos needs --sink=KAFKA, was --sink=%s: files are not written transactionally",
        o.getSink());
    Options.require(
        onFlink(o),
        "--kafkaEos needs --runner=FlinkRunner, was %s: only the FlinkRunner here holds records"
            + " back until a checkpoint, which the exactly-once sink relies on",
        o.getRunner().getSimpleName());
    Options.require(
        checkpointing(o),
        "--kafkaEos needs --checkpointingInterval > 0 (milliseconds), was %s: without"
            + " checkpoints no transaction ever commits",
        o.as(Checkpointing.class).getCheckpointingInterval());
    Options.require(
        o.getKafkaEosShards() > 0,
        "--kafkaEosShards must be positive, was %s",
        o.getKafkaEosShards());
    Options.require(
        !o.getKafkaEosGroupId().isBlank(),
        "--kafkaEosGroupId must not be empty, was '%s'",
        o.getKafkaEosGroupId());
    Options.require(
        endless(o),
        "--kafkaEos needs an endless source, --source=KAFKA without --kafkaEndWhenIdleSeconds or"
            + " --kafkaMaxRecords, was --source=%s --kafkaEndWhenIdleSeconds=%s"
            + " --kafkaMaxRecords=%s: on Flink with checkpoints a run whose source ends does not"
            + " finish with the exactly-once sink; cancel an endless job instead",
        o.getSource(),
        o.getKafkaEndWhenIdleSeconds(),
        o.getKafkaMaxRecords());
  }

  /**
   * What the user should know before an endless run that will not survive a failure: an unbounded
   * Kafka read (no {@code --kafkaEndWhenIdleSeconds}, no {@code --kafkaMaxRecords}) on the
   * FlinkRunner without checkpoints. Empty when there is nothing to say.
   */
  public static List<String> warnings(JobOptions o) {
    List<String> warnings = new ArrayList<>();
    if (endless(o) && onFlink(o) && !checkpointing(o)) {
      warnings.add(
          "--source=KAFKA on the FlinkRunner without --checkpointingInterval (was "
              + o.as(Checkpointing.class).getCheckpointingInterval()
              + "): Flink takes no checkpoints, so a failure ends the job (or restarts it from"
              + " scratch) and loses its window state; a new run reads again from --kafkaStartFrom"
              + " or the group's committed offsets (never committed without checkpoints),"
              + " repeating what it had written."
              + " Set --checkpointingInterval=<ms>; runners/flink/conf/production.args has"
              + " production settings.");
    }
    return warnings;
  }

  /** A Kafka read with no end condition: it runs until the job is cancelled. */
  private static boolean endless(JobOptions o) {
    return o.getSource() == SourceOptions.Source.KAFKA
        && o.getKafkaEndWhenIdleSeconds() == 0
        && o.getKafkaMaxRecords() == 0;
  }

  private static boolean onFlink(PipelineOptions o) {
    return o.getRunner().getSimpleName().contains("Flink");
  }

  private static boolean checkpointing(PipelineOptions o) {
    Long interval = o.as(Checkpointing.class).getCheckpointingInterval();
    return interval != null && interval > 0;
  }
}
