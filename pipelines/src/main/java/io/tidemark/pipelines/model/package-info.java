/**
 * An independent, plain-Java reference model of Tidemark's pipelines and event-time transforms: no
 * Beam, single-threaded, written from the pipelines' stated semantics and sharing nothing with the
 * Beam code but the Avro event types.
 *
 * <p><b>Input</b> is {@link io.tidemark.pipelines.model.Arrivals}: events in arrival order, each
 * with its event timestamp, interleaved with explicit watermark advances. An event's lateness is
 * decided by where its timestamp stands against the watermark when it arrives ({@link
 * io.tidemark.pipelines.model.Lateness}, ARCHITECTURE.md, "Lateness"), exactly, with no tick.
 *
 * <p><b>Output</b> per model: the panes of every window and their sum (the final result of the
 * window), the late stream, join matches and unmatched sides, and a {@link
 * io.tidemark.pipelines.model.Ledger} that places every input in exactly one of result, late or
 * dead letter.
 *
 * <p>The differential tests run the Beam pipelines and these models on the same randomized streams
 * and compare them; the benchmarks use the models as the plain-Java baseline.
 */
package io.tidemark.pipelines.model;
