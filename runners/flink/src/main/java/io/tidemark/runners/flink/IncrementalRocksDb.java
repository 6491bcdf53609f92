package io.tidemark.runners.flink;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkStateBackendFactory;
import org.apache.flink.contrib.streaming.state.RocksDBStateBackend;
import org.apache.flink.runtime.state.StateBackend;

/**
 * The RocksDB state backend with incremental checkpoints, for {@code
 * --stateBackendFactory=io.tidemark.runners.flink.IncrementalRocksDb}: state lives on local disk
 * (not the heap), and each checkpoint uploads only the RocksDB files written since the previous one
 * to {@code --stateBackendStoragePath} (its {@code shared/} folder), where checkpoints are also
 * kept. Beam's own {@code --stateBackend=rocksdb} takes full checkpoints unless Flink's
 * configuration says otherwise.
 */
public final class IncrementalRocksDb implements FlinkStateBackendFactory {
  @Override
  public StateBackend createStateBackend(FlinkPipelineOptions options) {
    String path = options.getStateBackendStoragePath();
    if (path == null || path.isBlank()) {
      throw new IllegalArgumentException(
          "--stateBackendFactory="
              + IncrementalRocksDb.class.getName()
              + " needs --stateBackendStoragePath (where checkpoints go, e.g."
              + " file:///var/lib/tidemark/checkpoints or hdfs://...), was '"
              + path
              + "'");
    }
    try {
      // Deprecated in Flink, but it is also the checkpoint storage, which a factory cannot set.
      return new RocksDBStateBackend(path, true);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "--stateBackendStoragePath cannot be used, was '" + path + "': " + e.getMessage(), e);
    }
  }
}
