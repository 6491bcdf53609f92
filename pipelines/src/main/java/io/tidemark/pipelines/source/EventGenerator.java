package io.tidemark.pipelines.source;

import io.tidemark.schemas.Click;
import io.tidemark.schemas.ContentInteraction;
import io.tidemark.schemas.InteractionType;
import io.tidemark.schemas.PageView;
import io.tidemark.schemas.Purchase;
import io.tidemark.schemas.SchemaHistory;
import io.tidemark.schemas.Transaction;
import io.tidemark.schemas.UserProfile;
import io.tidemark.schemas.WireFormat;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.joda.time.Instant;

/**
 * A deterministic source of realistic traffic: event {@code i} is a pure function of the seed and
 * {@code i}. The first {@code users} events are the users' profiles; after that page views, clicks,
 * content interactions, purchases, transactions and profile updates follow in realistic
 * proportions. A fraction of clicks and transactions is written with their v1 schemas, as older
 * producers would; a fraction of records is corrupt.
 */
public final class EventGenerator {

  /**
   * One generated record: its bytes, its event time, and the event it encodes (null if corrupt).
   */
  public record Generated(
      long index, Instant timestamp, byte[] payload, SpecificRecord event, boolean late) {}

  static final String[] USER_AGENTS = {
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Version/17.4 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 Chrome/123.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
  };
  static final String[] LOCATIONS = {"US", "GB", "DE", "FR", "IN", "BR", "JP", "CA", "AU", "NG"};
  static final String[] TIERS = {"basic", "basic", "basic", "premium", "business"};
  static final String[] MERCHANTS = {"acme", "globex", "initech", "umbrella", "stark", "wayne"};
  static final String[] REFERRERS = {"", "search", "email", "social", "ads"};
  private static final Schema CLICK_V1 = SchemaHistory.shipped().find("Click", 1).schema();
  private static final Schema TRANSACTION_V1 =
      SchemaHistory.shipped().find("Transaction", 1).schema();

  private final GeneratorConfig config;

  public EventGenerator(GeneratorConfig config) {
    this.config = config;
  }

  public GeneratorConfig config() {
    return config;
  }

  /**
   * Where record {@code index} stands in time, and whether it is corrupt: what decides its fate.
   */
  public record Stamp(Instant timestamp, boolean late, boolean corrupt) {}

  /** The stamp of record {@code index}, without building the record: much cheaper. */
  public Stamp stamp(long index) {
    return stamp(index, random(index));
  }

  private SplittableRandom random(long index) {
    return new SplittableRandom(mix(config.seed() * 0x9E3779B97F4A7C15L + index));
  }

  /** The first draws of {@code rnd}, which {@link #generate} goes on drawing from. */
  private Stamp stamp(long index, SplittableRandom rnd) {
    Instant arrival = config.arrival(index);
    boolean late = config.mayBeLate(index) && rnd.nextDouble() < config.lateFraction();
    long behind =
        late
            ? config.outOfOrder().getMillis()
                + uniform(rnd, config.lateMin().getMillis(), config.lateMax().getMillis())
            : uniform(rnd, 0, config.outOfOrder().getMillis());
    boolean corrupt = index >= config.users() && rnd.nextDouble() < config.corruptFraction();
    return new Stamp(arrival.minus(behind), late, corrupt);
  }

  /** Event {@code index}. */
  public Generated generate(long index) {
    SplittableRandom rnd = random(index);
    Stamp stamp = stamp(index, rnd);
    Instant ts = stamp.timestamp();
    boolean late = stamp.late();
    if (stamp.corrupt()) {
      return new Generated(index, ts, corrupt(rnd), null, late);
    }
    SpecificRecordBase event = event(index, rnd, ts.getMillis());
    boolean old = rnd.nextInt(10) < 3;
    byte[] payload;
    if (old && event instanceof Click c) {
      c.setReferrer(""); // v1 has no referrer; readers fill in the default
      payload = encode(downgrade(event, CLICK_V1), CLICK_V1);
    } else if (old && event instanceof Transaction t && Math.abs(t.getAmount()) < 1e6) {
      t.setAmount((double) (float) t.getAmount()); // v1 has a float amount
      t.setCurrency("USD");
      payload = encode(downgrade(event, TRANSACTION_V1), TRANSACTION_V1);
    } else {
      payload = encode(event, event.getSchema());
    }
    return new Generated(index, ts, payload, event, late);
  }

  private byte[] encode(org.apache.avro.generic.IndexedRecord record, Schema schema) {
    return config.json()
        ? WireFormat.toJson(record, schema).getBytes(StandardCharsets.UTF_8)
        : WireFormat.encode(record, schema);
  }

  private SpecificRecordBase event(long index, SplittableRandom rnd, long ts) {
    if (index < config.users()) {
      return profile((int) index, rnd, ts);
    }
    int user = rnd.nextInt(config.users());
    String userId = userId(user);
    String eventId = "e" + index;
    int kind = rnd.nextInt(100);
    if (kind < 38) {
      int content = rnd.nextInt(config.products());
      return PageView.newBuilder()
          .setEventId(eventId)
          .setUserId(userId)
          .setContentId("c" + content)
          .setCategory(category(content))
          .setPageUrl("https://shop.example/c/" + content)
          .setUserAgent(userAgent(user, rnd))
          .setDurationMs(500 + rnd.nextInt(120_000))
          .setEventTime(ts)
          .build();
    } else if (kind < 63) {
      String product = favouriteProduct(user, rnd);
      return Click.newBuilder()
          .setEventId(eventId)
          .setUserId(userId)
          .setProductId(product)
          .setPageUrl("https://shop.example/p/" + product.substring(1))
          .setUserAgent(userAgent(user, rnd))
          .setLocation(homeLocation(user))
          .setEventTime(ts)
          .setReferrer(REFERRERS[rnd.nextInt(REFERRERS.length)])
          .build();
    } else if (kind < 83) {
      int content = rnd.nextInt(config.products());
      int t = rnd.nextInt(10);
      return ContentInteraction.newBuilder()
          .setEventId(eventId)
          .setUserId(userId)
          .setContentId("c" + content)
          .setCategory(category(content))
          .setInteraction(
              t < 6
                  ? InteractionType.LIKE
                  : t < 8 ? InteractionType.COMMENT : InteractionType.SHARE)
          .setEventTime(ts)
          .build();
    } else if (kind < 91) {
      return Purchase.newBuilder()
          .setEventId(eventId)
          .setUserId(userId)
          .setProductId(favouriteProduct(user, rnd))
          .setAmount(Math.round(Math.exp(1.5 + rnd.nextDouble() * 4.5) * 100) / 100.0)
          .setEventTime(ts)
          .build();
    } else if (kind < 99) {
      double amount =
          rnd.nextInt(10) < 8
              ? 5 + rnd.nextInt(95_000) / 100.0
              : 1000 + rnd.nextInt(800_000) / 100.0;
      return Transaction.newBuilder()
          .setEventId(eventId)
          .setTransactionId("t" + index)
          .setUserId(userId)
          .setAmount(amount)
          .setLocation(
              rnd.nextInt(10) < 8 ? homeLocation(user) : LOCATIONS[rnd.nextInt(LOCATIONS.length)])
          .setMerchant(MERCHANTS[rnd.nextInt(MERCHANTS.length)])
          .setEventTime(ts)
          .setCurrency(rnd.nextInt(10) < 8 ? "USD" : "EUR")
          .build();
    }
    return profile(user, rnd, ts);
  }

  private UserProfile profile(int user, SplittableRandom rnd, long ts) {
    return UserProfile.newBuilder()
        .setUserId(userId(user))
        .setTypicalLocation(homeLocation(user))
        .setTier(TIERS[rnd.nextInt(TIERS.length)])
        .setAccountCreatedTime(
            config.start().getMillis() - (1 + Math.floorMod(mix(user), 2000)) * 86_400_000L)
        .setEventTime(ts)
        .build();
  }

  /** Corrupt records of the kinds real sources see. */
  private byte[] corrupt(SplittableRandom rnd) {
    switch (rnd.nextInt(6)) {
      case 0:
        return new byte[0];
      case 1:
        return "<html>502 Bad Gateway</html>".getBytes(StandardCharsets.UTF_8);
      case 2:
        return ("{\"type\":\"Click\",\"version\":2,\"event\":{\"eventId\":\"x\",\"userId\":\"u1\"}}")
            .getBytes(StandardCharsets.UTF_8);
      case 3:
        return ("{\"type\":\"Purchase\",\"version\":1,\"event\":{\"eventId\":\"x\",\"userId\":\"u1\","
                + "\"productId\":\"p1\",\"amount\":\"ten\",\"eventTime\":0}}")
            .getBytes(StandardCharsets.UTF_8);
      case 4:
        byte[] good = WireFormat.encode(profile(0, rnd, 0));
        return Arrays.copyOf(good, good.length / 2);
      default:
        byte[] noise = new byte[16 + rnd.nextInt(48)];
        for (int i = 0; i < noise.length; i++) {
          noise[i] = (byte) rnd.nextInt(256);
        }
        return noise;
    }
  }

  private static GenericRecord downgrade(SpecificRecordBase event, Schema old) {
    GenericData.Record record = new GenericData.Record(old);
    for (Schema.Field f : old.getFields()) {
      Object value = event.get(event.getSchema().getField(f.name()).pos());
      if (f.schema().getType() == Schema.Type.FLOAT) {
        value = ((Number) value).floatValue();
      }
      record.put(f.name(), value);
    }
    return record;
  }

  public static String userId(int user) {
    return "u" + user;
  }

  private String category(int content) {
    return "cat" + Math.floorMod(mix(content), config.categories());
  }

  private static String homeLocation(int user) {
    return LOCATIONS[Math.floorMod(mix(user + 17), LOCATIONS.length)];
  }

  private static String userAgent(int user, SplittableRandom rnd) {
    // Users mostly stay on their own device.
    int own = Math.floorMod(mix(user + 3), USER_AGENTS.length - 1);
    return USER_AGENTS[rnd.nextInt(10) < 9 ? own : rnd.nextInt(USER_AGENTS.length)];
  }

  /** Users click and buy mostly among a few favourite products, so clicks lead to purchases. */
  private String favouriteProduct(int user, SplittableRandom rnd) {
    int product =
        rnd.nextInt(4) < 3
            ? Math.floorMod(mix(user * 31L + rnd.nextInt(3)), config.products())
            : rnd.nextInt(config.products());
    return "p" + product;
  }

  private static long uniform(SplittableRandom rnd, long min, long max) {
    return max <= min ? min : min + rnd.nextLong(max - min + 1);
  }

  static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }
}
