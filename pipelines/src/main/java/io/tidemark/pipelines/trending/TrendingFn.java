package io.tidemark.pipelines.trending;

import io.tidemark.schemas.ContentInteraction;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.SetCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.StructuredCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine;

/**
 * Scores every category of a window and keeps the top N: likes count 1, shares 3, comments 2
 * ({@code weightedScore}); {@code trendingScore = weightedScore x uniqueUsers / interactions}, so
 * engagement spread over many users beats the same engagement from a few. Ranked by trending score
 * descending, ties by category name ascending. The output also carries the number of interactions
 * of all categories, ranked or not.
 */
public final class TrendingFn
    extends Combine.CombineFn<ContentInteraction, TrendingFn.Acc, TrendingFn.Ranking> {

  public static final int LIKE_POINTS = 1;
  public static final int SHARE_POINTS = 3;
  public static final int COMMENT_POINTS = 2;

  private final int topN;

  public TrendingFn(int topN) {
    if (topN <= 0) {
      throw new IllegalArgumentException("top N must be positive, was " + topN);
    }
    this.topN = topN;
  }

  /** The counts of one category. */
  public static final class Stats {
    public final String category;
    public long likes;
    public long shares;
    public long comments;
    public final TreeSet<String> users = new TreeSet<>();

    public Stats(String category) {
      this.category = category;
    }

    public long interactions() {
      return likes + shares + comments;
    }

    public double weightedScore() {
      return likes * LIKE_POINTS + shares * SHARE_POINTS + comments * COMMENT_POINTS;
    }

    public double trendingScore() {
      long n = interactions();
      return n == 0 ? 0 : weightedScore() * users.size() / n;
    }

    void merge(Stats other) {
      likes += other.likes;
      shares += other.shares;
      comments += other.comments;
      users.addAll(other.users);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Stats s
          && category.equals(s.category)
          && likes == s.likes
          && shares == s.shares
          && comments == s.comments
          && users.equals(s.users);
    }

    @Override
    public int hashCode() {
      return Objects.hash(category, likes, shares, comments, users);
    }

    @Override
    public String toString() {
      return category
          + "{likes="
          + likes
          + ", shares="
          + shares
          + ", comments="
          + comments
          + ", users="
          + users
          + "}";
    }
  }

  /** The stats of every category seen in the window so far, by category. */
  public static final class Acc {
    public final TreeMap<String, Stats> categories = new TreeMap<>();

    @Override
    public boolean equals(Object o) {
      return o instanceof Acc a && categories.equals(a.categories);
    }

    @Override
    public int hashCode() {
      return categories.hashCode();
    }

    @Override
    public String toString() {
      return categories.values().toString();
    }
  }

  /** The top categories, best first, and the interactions of all categories. */
  public record Ranking(long interactions, List<Stats> top) {}

  /** Best first: trending score descending, then category name ascending. */
  public static final Comparator<Stats> ORDER =
      Comparator.comparingDouble(Stats::trendingScore).reversed().thenComparing(s -> s.category);

  @Override
  public Acc createAccumulator() {
    return new Acc();
  }

  @Override
  public Acc addInput(Acc acc, ContentInteraction e) {
    Stats s = acc.categories.computeIfAbsent(e.getCategory(), Stats::new);
    switch (e.getInteraction()) {
      case LIKE -> s.likes++;
      case SHARE -> s.shares++;
      case COMMENT -> s.comments++;
    }
    s.users.add(e.getUserId());
    return acc;
  }

  @Override
  public Acc mergeAccumulators(Iterable<Acc> accs) {
    Acc merged = new Acc();
    for (Acc a : accs) {
      for (Stats s : a.categories.values()) {
        merged.categories.computeIfAbsent(s.category, Stats::new).merge(s);
      }
    }
    return merged;
  }

  @Override
  public Ranking extractOutput(Acc acc) {
    List<Stats> all = new ArrayList<>(acc.categories.values());
    all.sort(ORDER);
    long interactions = all.stream().mapToLong(Stats::interactions).sum();
    return new Ranking(interactions, List.copyOf(all.subList(0, Math.min(topN, all.size()))));
  }

  @Override
  public Coder<Acc> getAccumulatorCoder(
      CoderRegistry registry, Coder<ContentInteraction> inputCoder) {
    return AccCoder.INSTANCE;
  }

  @Override
  public Coder<Ranking> getDefaultOutputCoder(
      CoderRegistry registry, Coder<ContentInteraction> inputCoder) {
    return RankingCoder.INSTANCE;
  }

  /** Three varints and the sorted user set per category. */
  static final class StatsCoder extends StructuredCoder<Stats> {
    static final StatsCoder INSTANCE = new StatsCoder();
    private static final Coder<String> STRING = StringUtf8Coder.of();
    private static final Coder<Long> LONG = VarLongCoder.of();
    private static final Coder<Set<String>> USERS = SetCoder.of(StringUtf8Coder.of());

    @Override
    public void encode(Stats s, OutputStream out) throws IOException {
      STRING.encode(s.category, out);
      LONG.encode(s.likes, out);
      LONG.encode(s.shares, out);
      LONG.encode(s.comments, out);
      USERS.encode(s.users, out);
    }

    @Override
    public Stats decode(InputStream in) throws IOException {
      Stats s = new Stats(STRING.decode(in));
      s.likes = LONG.decode(in);
      s.shares = LONG.decode(in);
      s.comments = LONG.decode(in);
      s.users.addAll(USERS.decode(in));
      return s;
    }

    @Override
    public List<? extends Coder<?>> getCoderArguments() {
      return List.of();
    }

    @Override
    public void verifyDeterministic() {}
  }

  /** The number of categories, then each category's stats in name order. */
  public static final class AccCoder extends StructuredCoder<Acc> {
    public static final AccCoder INSTANCE = new AccCoder();

    @Override
    public void encode(Acc acc, OutputStream out) throws IOException {
      VarIntCoder.of().encode(acc.categories.size(), out);
      for (Stats s : acc.categories.values()) {
        StatsCoder.INSTANCE.encode(s, out);
      }
    }

    @Override
    public Acc decode(InputStream in) throws IOException {
      Acc acc = new Acc();
      int n = VarIntCoder.of().decode(in);
      for (int i = 0; i < n; i++) {
        Stats s = StatsCoder.INSTANCE.decode(in);
        acc.categories.put(s.category, s);
      }
      return acc;
    }

    @Override
    public List<? extends Coder<?>> getCoderArguments() {
      return List.of();
    }

    @Override
    public void verifyDeterministic() {}
  }

  /** The total interactions, then the ranked stats in rank order. */
  public static final class RankingCoder extends StructuredCoder<Ranking> {
    public static final RankingCoder INSTANCE = new RankingCoder();

    @Override
    public void encode(Ranking r, OutputStream out) throws IOException {
      VarLongCoder.of().encode(r.interactions(), out);
      VarIntCoder.of().encode(r.top().size(), out);
      for (Stats s : r.top()) {
        StatsCoder.INSTANCE.encode(s, out);
      }
    }

    @Override
    public Ranking decode(InputStream in) throws IOException {
      long interactions = VarLongCoder.of().decode(in);
      int n = VarIntCoder.of().decode(in);
      List<Stats> top = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        top.add(StatsCoder.INSTANCE.decode(in));
      }
      return new Ranking(interactions, top);
    }

    @Override
    public List<? extends Coder<?>> getCoderArguments() {
      return List.of();
    }

    @Override
    public void verifyDeterministic() {}
  }
}
