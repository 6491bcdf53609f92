package io.tidemark.pipelines.model;

/**
 * An event that arrived after its window closed: its key, event time and window, the watermark when
 * it arrived, and the event.
 */
public record Late<E>(
    String key, long eventTime, long windowStart, long windowEnd, long watermark, E event) {}
