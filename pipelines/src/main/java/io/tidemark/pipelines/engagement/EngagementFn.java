package io.tidemark.pipelines.engagement;

import io.tidemark.pipelines.Activity;
import io.tidemark.pipelines.ActivityPoints;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.SetCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.StructuredCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine;

/** Counts views, clicks and purchases of one user and the distinct items they touched. */
public final class EngagementFn
    extends Combine.CombineFn<Activity, EngagementFn.Acc, EngagementFn.Acc> {

  /** The running counts of one user in one window. */
  public static final class Acc {
    public long views;
    public long clicks;
    public long purchases;
    public final TreeSet<String> items = new TreeSet<>();

    public long score() {
      return ActivityPoints.of(views, clicks, purchases);
    }

    public long total() {
      return views + clicks + purchases;
    }
  }

  @Override
  public Acc createAccumulator() {
    return new Acc();
  }

  @Override
  public Acc addInput(Acc acc, Activity activity) {
    switch (activity.kind()) {
      case VIEW -> acc.views++;
      case CLICK -> acc.clicks++;
      case PURCHASE -> acc.purchases++;
    }
    acc.items.add(activity.item());
    return acc;
  }

  @Override
  public Acc mergeAccumulators(Iterable<Acc> accs) {
    Acc merged = new Acc();
    for (Acc a : accs) {
      merged.views += a.views;
      merged.clicks += a.clicks;
      merged.purchases += a.purchases;
      merged.items.addAll(a.items);
    }
    return merged;
  }

  @Override
  public Acc extractOutput(Acc acc) {
    return acc;
  }

  @Override
  public Coder<Acc> getAccumulatorCoder(CoderRegistry registry, Coder<Activity> input)
      throws CannotProvideCoderException {
    return AccCoder.INSTANCE;
  }

  @Override
  public Coder<Acc> getDefaultOutputCoder(CoderRegistry registry, Coder<Activity> input) {
    return AccCoder.INSTANCE;
  }

  /** A compact coder: three varints and the sorted item set. */
  public static final class AccCoder extends StructuredCoder<Acc> {
    public static final AccCoder INSTANCE = new AccCoder();
    private static final Coder<java.util.Set<String>> ITEMS = SetCoder.of(StringUtf8Coder.of());

    @Override
    public void encode(Acc acc, OutputStream out) throws IOException {
      VarLongCoder.of().encode(acc.views, out);
      VarLongCoder.of().encode(acc.clicks, out);
      VarLongCoder.of().encode(acc.purchases, out);
      ITEMS.encode(acc.items, out);
    }

    @Override
    public Acc decode(InputStream in) throws IOException {
      Acc acc = new Acc();
      acc.views = VarLongCoder.of().decode(in);
      acc.clicks = VarLongCoder.of().decode(in);
      acc.purchases = VarLongCoder.of().decode(in);
      acc.items.addAll(ITEMS.decode(in));
      return acc;
    }

    @Override
    public List<? extends Coder<?>> getCoderArguments() {
      return List.of();
    }

    @Override
    public void verifyDeterministic() {}
  }
}
