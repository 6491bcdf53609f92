package io.tidemark.pipelines;

import io.tidemark.pipelines.engagement.EngagementPipeline;
import io.tidemark.pipelines.engagement.EngagementPipeline.EngagementOptions;
import io.tidemark.schemas.Click;
import io.tidemark.schemas.Engagement;
import io.tidemark.schemas.LateEvent;
import io.tidemark.schemas.PageView;
import io.tidemark.schemas.Purchase;
import io.tidemark.schemas.WireFormat;
import io.tidemark.transforms.RawRecord;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

/**
 * The engagement pipeline on TestStream, one test per lateness category, asserting per pane and per
 * window. Events go in as JSON-lines records, so decoding is part of every path.
 */
public class EngagementPipelineTest {
  static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");
  static final int WINDOW_MINUTES = 5;
  static final int LATENESS_MINUTES = 10;
  static final IntervalWindow FIRST =
      new IntervalWindow(T0, Duration.standardMinutes(WINDOW_MINUTES));

  @Rule public final transient TestPipeline p = TestPipeline.create();

  static Instant at(double minutes) {
    return T0.plus(Duration.millis((long) (minutes * 60_000)));
  }

  static TimestampedValue<RawRecord> raw(SpecificRecord event, Instant ts) {
    byte[] json = WireFormat.toJson(event).getBytes(StandardCharsets.UTF_8);
    return TimestampedValue.of(new RawRecord(json, "test", ts.getMillis()), ts);
  }

  static TimestampedValue<RawRecord> view(String user, double minutes) {
    Instant ts = at(minutes);
    return raw(
        PageView.newBuilder()
            .setEventId("v" + user + minutes)
            .setUserId(user)
            .setContentId("c1")
            .setCategory("news")
            .setPageUrl("/c1")
            .setUserAgent("ua")
            .setDurationMs(1000)
            .setEventTime(ts.getMillis())
            .build(),
        ts);
  }

  static TimestampedValue<RawRecord> click(String user, double minutes) {
    Instant ts = at(minutes);
    return raw(
        Click.newBuilder()
            .setEventId("c" + user + minutes)
            .setUserId(user)
            .setProductId("p1")
            .setPageUrl("/p1")
            .setUserAgent("ua")
            .setLocation("US")
            .setEventTime(ts.getMillis())
            .build(),
        ts);
  }

  static TimestampedValue<RawRecord> purchase(String user, double minutes) {
    Instant ts = at(minutes);
    return raw(
        Purchase.newBuilder()
            .setEventId("p" + user + minutes)
            .setUserId(user)
            .setProductId("p2")
            .setAmount(10)
            .setEventTime(ts.getMillis())
            .build(),
        ts);
  }

  static Engagement expected(
      String user,
      IntervalWindow w,
      long views,
      long clicks,
      long purchases,
      long items,
      String timing,
      long index) {
    return Engagement.newBuilder()
        .setUserId(user)
        .setWindowStart(w.start().getMillis())
        .setWindowEnd(w.end().getMillis())
        .setScore(views + 3 * clicks + 10 * purchases)
        .setTotalEvents(views + clicks + purchases)
        .setViews(views)
        .setClicks(clicks)
        .setPurchases(purchases)
        .setDistinctContent(items)
        .setTiming(timing)
        .setPaneIndex(index)
        .build();
  }

  static TestStream.Builder<RawRecord> stream() {
    return TestStream.create(RawRecord.coder()).advanceWatermarkTo(T0);
  }

  Output run(TestStream<RawRecord> events, String... args) {
    EngagementOptions o = PipelineOptionsFactory.fromArgs(args).as(EngagementOptions.class);
    return EngagementPipeline.expand(Events.decode(p.apply(events)), o);
  }

  @Test
  public void onTime() {
    Output out =
        run(
            stream()
                .addElements(view("u1", 1), click("u1", 2), purchase("u1", 3), view("u2", 4))
                .advanceWatermarkTo(at(6))
                .advanceWatermarkToInfinity());
    PCollection<Engagement> results = out.get("results");
    PAssert.that(results)
        .inOnTimePane(FIRST)
        .containsInAnyOrder(
            expected("u1", FIRST, 1, 1, 1, 3, "ON_TIME", 0),
            expected("u2", FIRST, 1, 0, 0, 1, "ON_TIME", 0));
    PAssert.that(out.<LateEvent>get("late")).empty();
    p.run();
  }

  @Test
  public void speculativeThenOnTime() {
    Output out =
        run(
            stream()
                .addElements(view("u1", 1))
                // The late-events router holds a stream's first element until the watermark
                // reaches it; from then on elements pass straight through.
                .advanceWatermarkTo(at(1.5))
                .advanceProcessingTime(Duration.standardSeconds(31))
                .addElements(click("u1", 2))
                .advanceWatermarkTo(at(6))
                .advanceWatermarkToInfinity(),
            "--earlyFiringSeconds=30");
    PCollection<Engagement> results = out.get("results");
    PAssert.that(results)
        .inEarlyPane(FIRST)
        .containsInAnyOrder(expected("u1", FIRST, 1, 0, 0, 1, "EARLY", 0));
    // Discarding panes: the on-time pane holds only what arrived after the early one.
    PAssert.that(results)
        .inOnTimePane(FIRST)
        .containsInAnyOrder(expected("u1", FIRST, 0, 1, 0, 1, "ON_TIME", 1));
    p.run();
  }

  @Test
  public void unobservablyLateIsStillOnTime() {
    // The watermark is past the view's own time (3 min) but not past the window's end.
    Output out =
        run(
            stream()
                .addElements(click("u1", 1))
                .advanceWatermarkTo(at(4))
                .addElements(view("u1", 3))
                .advanceWatermarkTo(at(6))
                .advanceWatermarkToInfinity());
    PAssert.that(out.<Engagement>get("results"))
        .inOnTimePane(FIRST)
        .containsInAnyOrder(expected("u1", FIRST, 1, 1, 0, 2, "ON_TIME", 0));
    p.run();
  }

  @Test
  public void observablyLateGoesToALatePane() {
    Output out =
        run(
            stream()
                .addElements(click("u1", 1))
                .advanceWatermarkTo(at(8))
                .addElements(view("u1", 3))
                .advanceWatermarkToInfinity());
    PCollection<Engagement> results = out.get("results");
    PAssert.that(results)
        .inOnTimePane(FIRST)
        .containsInAnyOrder(expected("u1", FIRST, 0, 1, 0, 1, "ON_TIME", 0));
    PAssert.that(results)
        .inLatePane(FIRST)
        .containsInAnyOrder(expected("u1", FIRST, 1, 0, 0, 1, "LATE", 1));
    PAssert.that(out.<LateEvent>get("late")).empty();
    p.run();
  }

  @Test
  public void droppablyLateGoesToTheLateStream() {
    // Window [10:00, 10:05) closes at 10:15 (end + 10 minutes); the watermark is at 10:20.
    Output out =
        run(
            stream()
                .addElements(click("u1", 1))
                .advanceWatermarkTo(at(20))
                .addElements(view("u1", 3))
                .advanceWatermarkToInfinity());
    PCollection<Engagement> results = out.get("results");
    PAssert.that(results)
        .inWindow(FIRST)
        .containsInAnyOrder(expected("u1", FIRST, 0, 1, 0, 1, "ON_TIME", 0));
    PAssert.that(
            out.<LateEvent>get("late")
                .apply(
                    MapElements.into(TypeDescriptors.strings())
                        .via(
                            e ->
                                e.getEventType()
                                    + " "
                                    + e.getKey()
                                    + " "
                                    + new Instant(e.getWindowStart())
                                    + " late>=5min:"
                                    + (e.getLateByMs() >= 4 * 60_000))))
        .containsInAnyOrder("PageView u1 " + FIRST.start() + " late>=5min:true");
    p.run();
  }
}
