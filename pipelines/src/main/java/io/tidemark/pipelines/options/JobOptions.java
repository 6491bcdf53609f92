package io.tidemark.pipelines.options;

/** What every runnable pipeline needs: a source and a sink. */
public interface JobOptions
    extends SourceOptions, SinkOptions, KafkaSinkOptions, FailureDrillOptions {}
