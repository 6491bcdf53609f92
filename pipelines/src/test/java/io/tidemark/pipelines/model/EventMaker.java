package io.tidemark.pipelines.model;

import io.tidemark.schemas.Click;
import io.tidemark.schemas.ContentInteraction;
import io.tidemark.schemas.InteractionType;
import io.tidemark.schemas.PageView;
import io.tidemark.schemas.Purchase;
import io.tidemark.schemas.Transaction;
import io.tidemark.schemas.UserProfile;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Random events of a few users, products, contents and categories, so keys repeat a lot. Which
 * types it makes, and how often, is set per test; {@link #primary} types are the ones a pipeline
 * under test reads, and every batch starts with one of them.
 */
final class EventMaker {
  /** The event types, in the order of {@link #weights}. */
  enum Type {
    VIEW,
    CLICK,
    PURCHASE,
    TRANSACTION,
    INTERACTION,
    PROFILE
  }

  /** The model knows these agents (labelled by hand), so the stream uses only them. */
  static final List<String> USER_AGENTS = UserAgents.all();

  static final String[] LOCATIONS = {"US", "GB", "DE", "FR", "IN"};

  private final SplittableRandom rnd;
  private final int[] weights;
  private final Type[] primary;
  private final int users;
  private final int products;
  private final int categories;
  private final double emptyFieldRate;
  private final double largeAmountRate;

  EventMaker(
      SplittableRandom rnd,
      int[] weights,
      Type[] primary,
      double emptyFieldRate,
      double largeAmountRate) {
    this.rnd = rnd;
    this.weights = weights.clone();
    this.primary = primary.clone();
    this.users = 2 + rnd.nextInt(6);
    this.products = 2 + rnd.nextInt(8);
    this.categories = 2 + rnd.nextInt(7);
    this.emptyFieldRate = emptyFieldRate;
    this.largeAmountRate = largeAmountRate;
  }

  String user() {
    return "u" + rnd.nextInt(users);
  }

  String product() {
    return "p" + rnd.nextInt(products);
  }

  /** An event of a random type. */
  SpecificRecordBase any(String id, long ts) {
    int total = 0;
    for (int w : weights) {
      total += w;
    }
    int pick = rnd.nextInt(total);
    for (int i = 0; i < weights.length; i++) {
      pick -= weights[i];
      if (pick < 0) {
        return make(Type.values()[i], id, ts, user(), product());
      }
    }
    throw new AssertionError();
  }

  /** An event of one of the primary types. */
  SpecificRecordBase primary(String id, long ts) {
    return make(primary[rnd.nextInt(primary.length)], id, ts, user(), product());
  }

  SpecificRecordBase make(Type type, String id, long ts, String user, String product) {
    switch (type) {
      case VIEW:
        String content = "c" + rnd.nextInt(products);
        return PageView.newBuilder()
            .setEventId(id)
            .setUserId(user)
            .setContentId(content)
            .setCategory(category())
            .setPageUrl("https://shop.example/c/" + content)
            .setUserAgent(userAgent())
            .setDurationMs(500 + rnd.nextInt(60_000))
            .setEventTime(ts)
            .build();
      case CLICK:
        return Click.newBuilder()
            .setEventId(id)
            .setUserId(rnd.nextDouble() < emptyFieldRate ? blank() : user)
            .setProductId(product)
            .setPageUrl("https://shop.example/p/" + product)
            .setUserAgent(rnd.nextDouble() < emptyFieldRate ? blank() : userAgent())
            .setLocation(LOCATIONS[rnd.nextInt(LOCATIONS.length)])
            .setEventTime(ts)
            .setReferrer(rnd.nextBoolean() ? "" : "search")
            .build();
      case PURCHASE:
        return Purchase.newBuilder()
            .setEventId(id)
            .setUserId(user)
            .setProductId(product)
            .setAmount(1 + rnd.nextInt(50_000) / 100.0)
            .setEventTime(ts)
            .build();
      case TRANSACTION:
        double amount =
            rnd.nextDouble() < largeAmountRate
                ? (rnd.nextBoolean() ? 1000 : 5000) + rnd.nextInt(600_000) / 100.0
                : 5 + rnd.nextInt(99_500) / 100.0;
        if (rnd.nextInt(20) == 0) {
          amount = rnd.nextBoolean() ? 1000.0 : 5000.0; // exactly on a threshold
        }
        return Transaction.newBuilder()
            .setEventId(id)
            .setTransactionId("t" + id)
            .setUserId(user)
            .setAmount(amount)
            .setLocation(LOCATIONS[rnd.nextInt(LOCATIONS.length)])
            .setMerchant("m" + rnd.nextInt(3))
            .setEventTime(ts)
            .setCurrency(rnd.nextBoolean() ? "USD" : "EUR")
            .build();
      case INTERACTION:
        int t = rnd.nextInt(3);
        return ContentInteraction.newBuilder()
            .setEventId(id)
            .setUserId(user)
            .setContentId("c" + rnd.nextInt(products))
            .setCategory(category())
            .setInteraction(
                t == 0
                    ? InteractionType.LIKE
                    : t == 1 ? InteractionType.SHARE : InteractionType.COMMENT)
            .setEventTime(ts)
            .build();
      default:
        return UserProfile.newBuilder()
            .setUserId(user)
            .setTypicalLocation(LOCATIONS[rnd.nextInt(LOCATIONS.length)])
            .setTier(rnd.nextBoolean() ? "basic" : "premium")
            .setAccountCreatedTime(ts - (1 + rnd.nextInt(1000)) * 86_400_000L)
            .setEventTime(ts)
            .build();
    }
  }

  static Type typeOf(SpecificRecordBase e) {
    if (e instanceof PageView) {
      return Type.VIEW;
    } else if (e instanceof Click) {
      return Type.CLICK;
    } else if (e instanceof Purchase) {
      return Type.PURCHASE;
    } else if (e instanceof Transaction) {
      return Type.TRANSACTION;
    } else if (e instanceof ContentInteraction) {
      return Type.INTERACTION;
    }
    return Type.PROFILE;
  }

  static String userOf(SpecificRecordBase e) {
    return (String) e.get(e.getSchema().getField("userId").pos());
  }

  /** The product (or content) of an event, or "p0" for types without one. */
  static String productOf(SpecificRecordBase e) {
    if (e.getSchema().getField("productId") != null) {
      return (String) e.get(e.getSchema().getField("productId").pos());
    }
    return "p0";
  }

  /** An empty or whitespace-only field. */
  private String blank() {
    return rnd.nextBoolean() ? "" : " ";
  }

  private String category() {
    return "cat" + rnd.nextInt(categories);
  }

  private String userAgent() {
    return USER_AGENTS.get(rnd.nextInt(USER_AGENTS.size()));
  }
}
