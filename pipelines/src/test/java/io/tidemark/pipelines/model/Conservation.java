package io.tidemark.pipelines.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The conservation check (ARCHITECTURE.md, "Conservation"): every input is in exactly one of a
 * window result, a join result or its unmatched side, the late-events stream, or the dead letters.
 * Outputs that identify their inputs are {@link #placed}; outputs that only count them (an
 * aggregate) are {@link #counted}. Inputs are identified by their source position.
 */
final class Conservation {
  private final String what;
  private final Set<Long> inputs;
  private final Map<Long, String> placed = new HashMap<>();
  private final Map<String, Long> counted = new LinkedHashMap<>();
  private final List<String> problems = new ArrayList<>();

  private Conservation(String what, Collection<Long> inputs) {
    this.what = what;
    this.inputs = new LinkedHashSet<>(inputs);
    if (this.inputs.size() != inputs.size()) {
      problems.add("duplicate input positions");
    }
  }

  /** A check of {@code inputs}, the source positions of what {@code what} reads. */
  static Conservation of(String what, Collection<Long> inputs) {
    return new Conservation(what, inputs);
  }

  /** The model's own ledger, checked against the same inputs. */
  static Conservation ofLedger(String what, Collection<Long> inputs, Ledger ledger) {
    Conservation c = new Conservation(what, inputs);
    for (Ledger.Destination d : Ledger.Destination.values()) {
      c.placed(d.name().toLowerCase(), boxed(ledger.positions(d)));
    }
    return c;
  }

  /** {@code destination} holds exactly the inputs at {@code positions}. */
  Conservation placed(String destination, Collection<Long> positions) {
    for (Long p : positions) {
      if (!inputs.contains(p)) {
        problems.add(destination + " holds position " + p + ", which is not an input");
        continue;
      }
      String before = placed.put(p, destination);
      if (before != null) {
        problems.add("position " + p + " is in " + before + " and in " + destination);
      }
    }
    return this;
  }

  /** {@code destination} holds {@code n} inputs it does not identify. */
  Conservation counted(String destination, long n) {
    counted.merge(destination, n, Long::sum);
    return this;
  }

  /** Null if every input is in exactly one place, else what is wrong. */
  String check() {
    List<String> out = new ArrayList<>(problems);
    long countedTotal = counted.values().stream().mapToLong(Long::longValue).sum();
    if (counted.isEmpty()) {
      List<Long> missing = new ArrayList<>();
      for (Long p : inputs) {
        if (!placed.containsKey(p)) {
          missing.add(p);
        }
      }
      if (!missing.isEmpty()) {
        out.add(
            missing.size()
                + " inputs are in no output, positions "
                + missing.subList(0, Math.min(20, missing.size())));
      }
    } else if (inputs.size() - placed.size() != countedTotal) {
      out.add(
          inputs.size()
              + " inputs, "
              + placed.size()
              + " identified in outputs, so "
              + (inputs.size() - placed.size())
              + " should be counted in "
              + counted.keySet()
              + ", which count "
              + counted);
    }
    return out.isEmpty() ? null : what + " does not conserve its inputs: " + String.join("; ", out);
  }

  /** Throws unless every input is in exactly one place. */
  void verify() {
    String problem = check();
    if (problem != null) {
      throw new AssertionError(problem);
    }
  }

  static List<Long> boxed(long[] positions) {
    List<Long> out = new ArrayList<>(positions.length);
    for (long p : positions) {
      out.add(p);
    }
    return out;
  }
}
