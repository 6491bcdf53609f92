package io.tidemark.pipelines.model;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * Where a model put each input: the source positions of the inputs in each {@link Destination}.
 * Every input of a pipeline is recorded exactly once; inputs a pipeline does not read (other event
 * types) are not recorded.
 */
public final class Ledger {
  /** The places an input can end in. */
  public enum Destination {
    /** Counted in a window result, a join result, or a join's unmatched side. */
    RESULT,
    /** The late-events stream. */
    LATE,
    /** The dead-letter output. */
    DEAD_LETTER
  }

  private final Map<Destination, long[]> positions = new EnumMap<>(Destination.class);
  private final int[] sizes = new int[Destination.values().length];

  public Ledger() {
    for (Destination d : Destination.values()) {
      positions.put(d, new long[16]);
    }
  }

  /** Records that the input at {@code position} went to {@code destination}. */
  public void record(long position, Destination destination) {
    int i = destination.ordinal();
    long[] a = positions.get(destination);
    if (sizes[i] == a.length) {
      a = Arrays.copyOf(a, a.length * 2);
      positions.put(destination, a);
    }
    a[sizes[i]++] = position;
  }

  /** How many inputs went to {@code destination}. */
  public int count(Destination destination) {
    return sizes[destination.ordinal()];
  }

  /** How many inputs were recorded. */
  public int total() {
    int n = 0;
    for (int s : sizes) {
      n += s;
    }
    return n;
  }

  /** The positions of the inputs that went to {@code destination}, in the order recorded. */
  public long[] positions(Destination destination) {
    return Arrays.copyOf(positions.get(destination), sizes[destination.ordinal()]);
  }
}
