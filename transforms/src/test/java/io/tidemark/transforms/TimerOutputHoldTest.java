package io.tidemark.transforms;

import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

/**
 * The runner behaviour {@link LateEvents} relies on: a pending event-time timer's output timestamp
 * holds the downstream watermark, so an element forwarded later is not dropped downstream.
 */
public class TimerOutputHoldTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  static class HoldFn extends DoFn<KV<Integer, String>, String> {
    @TimerId("hold")
    private final TimerSpec hold = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    @ProcessElement
    public void process(
        @Element KV<Integer, String> e,
        @Timestamp Instant ts,
        @TimerId("hold") Timer t,
        OutputReceiver<String> out) {
      if (e.getValue().equals("a")) {
        t.withOutputTimestamp(ts).set(GlobalWindow.INSTANCE.maxTimestamp());
      }
      out.output(e.getValue());
    }

    @OnTimer("hold")
    public void onHold() {}
  }

  @Test
  public void holdKeepsDownstreamWatermark() {
    Instant base = new Instant(0);
    TestStream<KV<Integer, String>> s =
        TestStream.create(KvCoder.of(VarIntCoder.of(), StringUtf8Coder.of()))
            .addElements(TimestampedValue.of(KV.of(1, "a"), base.plus(Duration.standardMinutes(1))))
            .advanceWatermarkTo(base.plus(Duration.standardMinutes(10)))
            .addElements(TimestampedValue.of(KV.of(1, "b"), base.plus(Duration.standardMinutes(2))))
            .advanceWatermarkToInfinity();
    PAssert.that(
            p.apply(s)
                .apply(ParDo.of(new HoldFn()))
                .apply(Window.into(FixedWindows.of(Duration.standardMinutes(5))))
                .apply(Count.perElement())
                .apply(Values.create()))
        .containsInAnyOrder(1L, 1L);
    p.run();
  }
}
