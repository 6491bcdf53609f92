package io.tidemark.pipelines;

import io.tidemark.schemas.Click;
import io.tidemark.schemas.EventCoder;
import io.tidemark.schemas.PageView;
import io.tidemark.schemas.Purchase;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.ByteCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * One page view, click or purchase of a user, as engagement and fraud count it: its {@link Kind},
 * the user, the item it touched (the content of a view, the product of a click or purchase) and the
 * event itself, which is only read whole to record it when it arrives late.
 */
public record Activity(Kind kind, String userId, String item, SpecificRecord event) {
  /** The kinds of activity, each worth its {@link ActivityPoints}. */
  public enum Kind {
    VIEW,
    CLICK,
    PURCHASE
  }

  /** The coder of activity: the kind, user, item, then the event in the wire format. */
  public static final Coder<Activity> CODER = new ActivityCoder();

  /** Activity keyed by user. */
  private static final KvCoder<String, Activity> KEYED = KvCoder.of(StringUtf8Coder.of(), CODER);

  public static Activity of(PageView v) {
    return new Activity(Kind.VIEW, v.getUserId(), v.getContentId(), v);
  }

  public static Activity of(Click c) {
    return new Activity(Kind.CLICK, c.getUserId(), c.getProductId(), c);
  }

  public static Activity of(Purchase p) {
    return new Activity(Kind.PURCHASE, p.getUserId(), p.getProductId(), p);
  }

  /** What this activity is worth. */
  public int points() {
    return ActivityPoints.of(kind);
  }

  /**
   * The views, clicks and purchases of {@code events} as activity keyed by user: one step per type
   * ({@code KeyViews}, {@code KeyClicks}, {@code KeyPurchases}), flattened in step {@code
   * Activity}.
   */
  public static PCollection<KV<String, Activity>> byUser(Events events) {
    return PCollectionList.of(byUser(events.views, "Views", Activity::of))
        .and(byUser(events.clicks, "Clicks", Activity::of))
        .and(byUser(events.purchases, "Purchases", Activity::of))
        .apply("Activity", Flatten.pCollections())
        .setCoder(KEYED);
  }

  private static <T> PCollection<KV<String, Activity>> byUser(
      PCollection<T> events, String name, SerializableFunction<T, Activity> toActivity) {
    return events
        .apply(
            "Key" + name,
            MapElements.into(
                    TypeDescriptors.kvs(
                        TypeDescriptors.strings(), TypeDescriptor.of(Activity.class)))
                .via(
                    (T e) -> {
                      Activity a = toActivity.apply(e);
                      return KV.of(a.userId(), a);
                    }))
        .setCoder(KEYED);
  }

  /** Deterministic: each part is written one way only. */
  static final class ActivityCoder extends AtomicCoder<Activity> {
    private static final Kind[] KINDS = Kind.values();

    @Override
    public void encode(Activity a, OutputStream out) throws IOException {
      ByteCoder.of().encode((byte) a.kind().ordinal(), out);
      StringUtf8Coder.of().encode(a.userId(), out);
      StringUtf8Coder.of().encode(a.item(), out);
      EventCoder.of().encode(a.event(), out);
    }

    @Override
    public Activity decode(InputStream in) throws IOException {
      int kind = ByteCoder.of().decode(in);
      if (kind < 0 || kind >= KINDS.length) {
        throw new CoderException("unknown activity kind " + kind);
      }
      return new Activity(
          KINDS[kind],
          StringUtf8Coder.of().decode(in),
          StringUtf8Coder.of().decode(in),
          EventCoder.of().decode(in));
    }

    @Override
    public void verifyDeterministic() {}
  }
}
