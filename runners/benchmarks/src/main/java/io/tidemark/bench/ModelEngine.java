package io.tidemark.bench;

import io.tidemark.pipelines.model.Arrivals;
import io.tidemark.pipelines.model.EngagementModel;

/** The plain-Java reference model, single-threaded: the baseline and the expected output. */
public final class ModelEngine implements Engine {
  @Override
  public String name() {
    return "reference model (plain Java, 1 thread)";
  }

  @Override
  public Outcome run(Workload w) {
    Arrivals arrivals = w.arrivals();
    Timing.begin();
    return Outcome.of(EngagementModel.run(arrivals, w.latenessMillis));
  }
}
