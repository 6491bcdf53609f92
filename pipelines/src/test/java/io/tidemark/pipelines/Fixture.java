package io.tidemark.pipelines;

import io.tidemark.pipelines.options.LateRoutingOptions;
import io.tidemark.pipelines.options.WindowOptions;
import io.tidemark.schemas.Click;
import io.tidemark.schemas.ContentInteraction;
import io.tidemark.schemas.EventCoder;
import io.tidemark.schemas.InteractionType;
import io.tidemark.schemas.LateEvent;
import io.tidemark.schemas.PageView;
import io.tidemark.schemas.Purchase;
import io.tidemark.schemas.Transaction;
import io.tidemark.schemas.UserProfile;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The one fixture of the pipeline suites: events built with the Avro builders at wall-clock times
 * of one day ({@code at("10:04")}), and a {@link Scenario} that feeds them, the watermark and
 * processing time to a pipeline through a {@link TestStream} on the DirectRunner.
 *
 * <p>Lateness categories (ARCHITECTURE.md, "Lateness") are those of the scenario's watermark. The
 * late-events router in front of the windowed pipelines learns the watermark from one-minute ticks;
 * with {@link #windowOptions} its ticks do not back off for {@link #IDLE_TICKS}, longer than any
 * quiet stretch of a scenario, so after the scenario advances the watermark to a whole minute the
 * router knows the watermark one minute behind it. Scenarios leave that minute of margin around
 * each category boundary: a window's on-time pane fires once the watermark is past its end plus a
 * minute, and an event is droppably late once the watermark is past its window's end plus the
 * allowed lateness plus a minute.
 */
public final class Fixture {
  private Fixture() {}

  /** The day every scenario takes place on (a Monday). */
  public static final String DAY = "2024-05-06";

  /** The watermark at the start of every scenario. */
  public static final Instant START = at("09:00");

  /** Time of day {@code hh:mm} or {@code hh:mm:ss} on {@link #DAY}, UTC. */
  public static Instant at(String time) {
    return Instant.parse(DAY + "T" + (time.length() == 5 ? time + ":00" : time) + "Z");
  }

  /** The window of {@code minutes} that starts at {@code start}. */
  public static IntervalWindow window(String start, int minutes) {
    return new IntervalWindow(at(start), Duration.standardMinutes(minutes));
  }

  /** Late-events router ticks without data before the tick interval backs off. */
  public static final int IDLE_TICKS = 60;

  /** Options of {@code type} with their defaults. */
  public static <T extends PipelineOptions> T options(Class<T> type) {
    return PipelineOptionsFactory.as(type);
  }

  /** Window options of {@code type} with this allowed lateness and {@link #IDLE_TICKS}. */
  public static <T extends WindowOptions> T windowOptions(Class<T> type, int latenessMinutes) {
    T o = routedOptions(type);
    o.setAllowedLatenessMinutes(latenessMinutes);
    return o;
  }

  /** Options of {@code type} whose late-events routers tick for {@link #IDLE_TICKS}. */
  public static <T extends LateRoutingOptions> T routedOptions(Class<T> type) {
    T o = options(type);
    o.setLateMaxIdleTicks(IDLE_TICKS);
    return o;
  }

  // ---- events ----

  public static Click click(String user, String product, String userAgent, String time) {
    return Click.newBuilder()
        .setEventId("click-" + user + "-" + product + "-" + time)
        .setUserId(user)
        .setProductId(product)
        .setPageUrl("/p/" + product)
        .setUserAgent(userAgent)
        .setLocation("US")
        .setEventTime(at(time).getMillis())
        .build();
  }

  public static Click click(String user, String product, String time) {
    return click(user, product, "Mozilla/5.0 (X11; Linux x86_64)", time);
  }

  public static PageView view(String user, String content, String time) {
    return PageView.newBuilder()
        .setEventId("view-" + user + "-" + content + "-" + time)
        .setUserId(user)
        .setContentId(content)
        .setCategory("news")
        .setPageUrl("/c/" + content)
        .setUserAgent("Mozilla/5.0")
        .setDurationMs(1000)
        .setEventTime(at(time).getMillis())
        .build();
  }

  public static Purchase purchase(String user, String product, String time) {
    return Purchase.newBuilder()
        .setEventId("purchase-" + user + "-" + product + "-" + time)
        .setUserId(user)
        .setProductId(product)
        .setAmount(20)
        .setEventTime(at(time).getMillis())
        .build();
  }

  public static Transaction transaction(
      String id, String user, double amount, String location, String time) {
    return Transaction.newBuilder()
        .setEventId("event-" + id)
        .setTransactionId(id)
        .setUserId(user)
        .setAmount(amount)
        .setLocation(location)
        .setMerchant("shop")
        .setEventTime(at(time).getMillis())
        .setCurrency("EUR")
        .build();
  }

  public static UserProfile profile(String user, String location, String tier, String time) {
    return UserProfile.newBuilder()
        .setUserId(user)
        .setTypicalLocation(location)
        .setTier(tier)
        .setAccountCreatedTime(at(time).minus(Duration.standardDays(ACCOUNT_AGE_DAYS)).getMillis())
        .setEventTime(at(time).getMillis())
        .build();
  }

  /** Age of every account at the time of its profile event. */
  public static final long ACCOUNT_AGE_DAYS = 400;

  public static ContentInteraction interaction(
      String user, String category, InteractionType type, String time) {
    return ContentInteraction.newBuilder()
        .setEventId("ci-" + user + "-" + category + "-" + type + "-" + time)
        .setUserId(user)
        .setContentId(category + "-1")
        .setCategory(category)
        .setInteraction(type)
        .setEventTime(at(time).getMillis())
        .build();
  }

  /** The event time of an event. */
  public static Instant eventTime(SpecificRecord e) {
    return new Instant((Long) e.get(e.getSchema().getField("eventTime").pos()));
  }

  // ---- results ----

  /** Late events without the watermark-dependent fields: type, key, event time and window. */
  public static PCollection<String> describe(PCollection<LateEvent> late) {
    return late.apply(
        "DescribeLate",
        MapElements.into(TypeDescriptor.of(String.class))
            .via(
                (LateEvent e) ->
                    late(
                        e.getEventType(),
                        e.getKey(),
                        new Instant(e.getEventTime()),
                        new IntervalWindow(
                            new Instant(e.getWindowStart()), new Instant(e.getWindowEnd())))));
  }

  /** The description {@link #describe} gives a late event. */
  public static String late(String type, String key, Instant eventTime, IntervalWindow window) {
    return type + " " + key + " at " + eventTime + " in " + window;
  }

  /** The description of a late {@code event} keyed by {@code key} in {@code window}. */
  public static String late(SpecificRecord event, String key, IntervalWindow window) {
    return late(event.getSchema().getName(), key, eventTime(event), window);
  }

  /** A pipeline counter of a finished run. */
  public static long counter(PipelineResult result, String pipeline, String what) {
    return Accounting.read(result, pipeline, what);
  }

  /** Events, the watermark and processing time, in the order the pipeline sees them. */
  public static final class Scenario {
    private TestStream.Builder<SpecificRecord> stream =
        TestStream.create(EventCoder.of()).advanceWatermarkTo(START);
    private final List<SpecificRecord> all = new ArrayList<>();

    /** Adds events, each stamped with its own event time. */
    public Scenario add(SpecificRecord... events) {
      List<TimestampedValue<SpecificRecord>> stamped = new ArrayList<>();
      for (SpecificRecord e : events) {
        stamped.add(TimestampedValue.of(e, eventTime(e)));
        all.add(e);
      }
      stream = stream.addElements(stamped.get(0), rest(stamped));
      return this;
    }

    /** Advances the watermark to {@code time} ({@code hh:mm}). */
    public Scenario watermark(String time) {
      stream = stream.advanceWatermarkTo(at(time));
      return this;
    }

    /** Advances processing time by {@code d}. */
    public Scenario processingTime(Duration d) {
      stream = stream.advanceProcessingTime(d);
      return this;
    }

    /** Every event added, in order. */
    public List<SpecificRecord> events() {
      return all;
    }

    /** The typed streams of the scenario, which ends by advancing the watermark to infinity. */
    public Events in(Pipeline p) {
      return Events.of(p.apply("Events", stream.advanceWatermarkToInfinity()));
    }

    @SuppressWarnings("unchecked")
    private static TimestampedValue<SpecificRecord>[] rest(
        List<TimestampedValue<SpecificRecord>> stamped) {
      return stamped.subList(1, stamped.size()).toArray(new TimestampedValue[0]);
    }
  }
}
