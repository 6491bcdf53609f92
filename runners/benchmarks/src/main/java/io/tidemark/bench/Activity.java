package io.tidemark.bench;

import io.tidemark.schemas.Click;
import io.tidemark.schemas.PageView;
import io.tidemark.schemas.Purchase;
import org.apache.avro.specific.SpecificRecord;

/**
 * One engagement event as the native engines carry it: a Flink POJO (public fields, no-argument
 * constructor), so Flink serializes it field by field instead of falling back to Kryo.
 */
public class Activity {
  public static final int VIEW = 0;
  public static final int CLICK = 1;
  public static final int PURCHASE = 2;

  public String user;
  public String eventId;
  public String item;
  public int kind;
  public long timestamp;

  public Activity() {}

  Activity(String user, String eventId, String item, int kind, long timestamp) {
    this.user = user;
    this.eventId = eventId;
    this.item = item;
    this.kind = kind;
    this.timestamp = timestamp;
  }

  /** The activity of {@code event}, or null if it is not a view, click or purchase. */
  public static Activity of(SpecificRecord event, long timestamp) {
    if (event instanceof PageView v) {
      return new Activity(v.getUserId(), v.getEventId(), v.getContentId(), VIEW, timestamp);
    } else if (event instanceof Click c) {
      return new Activity(c.getUserId(), c.getEventId(), c.getProductId(), CLICK, timestamp);
    } else if (event instanceof Purchase p) {
      return new Activity(p.getUserId(), p.getEventId(), p.getProductId(), PURCHASE, timestamp);
    }
    return null;
  }

  /** The engagement points of this event: view 1, click 3, purchase 10. */
  public long points() {
    return kind == VIEW ? 1 : kind == CLICK ? 3 : 10;
  }
}
