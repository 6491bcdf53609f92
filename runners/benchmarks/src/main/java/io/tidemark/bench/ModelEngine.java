package io.tidemark.bench;

import io.tidemark.pipelines.model.Arrivals;
import io.tidemark.pipelines.model.ConversionModel;
import io.tidemark.pipelines.model.EngagementModel;

/** The plain-Java reference model, single-threaded: the baseline and the expected output. */
public final class ModelEngine implements Engine {
  @Override
  public String name() {
    return "reference model (plain Java, 1 thread)";
  }

  @Override
  public Outcome run(Job job, Workload w) {
    Arrivals arrivals = w.arrivals();
    Timing.begin();
    return switch (job) {
      case ENGAGEMENT -> Outcome.of(EngagementModel.run(arrivals, w.latenessMillis));
      case CONVERSION -> Outcome.of(ConversionModel.run(arrivals, w.latenessMillis));
    };
  }
}
