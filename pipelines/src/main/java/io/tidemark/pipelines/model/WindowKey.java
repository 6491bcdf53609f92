package io.tidemark.pipelines.model;

/** A key in one window {@code [start, end)}. */
public record WindowKey(String key, long start, long end) implements Comparable<WindowKey> {
  @Override
  public int compareTo(WindowKey o) {
    int c = Long.compare(start, o.start);
    return c != 0 ? c : key.compareTo(o.key);
  }
}
