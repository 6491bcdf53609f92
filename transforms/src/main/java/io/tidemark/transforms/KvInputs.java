package io.tidemark.transforms;

import static io.tidemark.transforms.Checks.checkArgument;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/** The key and value coders of the keyed inputs of the joins. */
final class KvInputs {
  private KvInputs() {}

  static <K, V> KvCoder<K, V> kvCoder(String side, PCollection<KV<K, V>> input) {
    Coder<KV<K, V>> coder = input.getCoder();
    checkArgument(
        coder instanceof KvCoder,
        "the %s input %s must have a KvCoder, has %s",
        side,
        input.getName(),
        coder);
    return (KvCoder<K, V>) coder;
  }

  /** Checks that both sides use the same key coder and returns it. */
  static <K> Coder<K> sameKeyCoder(KvCoder<K, ?> left, KvCoder<K, ?> right) {
    checkArgument(
        left.getKeyCoder().equals(right.getKeyCoder()),
        "left and right inputs must have the same key coder, have %s and %s",
        left.getKeyCoder(),
        right.getKeyCoder());
    return left.getKeyCoder();
  }
}
