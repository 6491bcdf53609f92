package io.tidemark.system;

import static org.junit.Assert.assertTrue;

import io.tidemark.pipelines.Events;
import io.tidemark.pipelines.io.Sources;
import io.tidemark.pipelines.model.EngagementModel;
import io.tidemark.pipelines.model.GeneratorArrivals;
import io.tidemark.pipelines.model.Late;
import io.tidemark.pipelines.model.WindowKey;
import io.tidemark.pipelines.model.Windowing;
import io.tidemark.pipelines.options.SourceOptions;
import io.tidemark.pipelines.source.EventGenerator;
import io.tidemark.pipelines.source.GeneratorConfig;
import io.tidemark.schemas.Click;
import io.tidemark.schemas.DecodeException;
import io.tidemark.schemas.PageView;
import io.tidemark.schemas.Purchase;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * The engagement pipeline's late-events stream as event ids: read from a run's output, taken from
 * the generator's late stamps, or computed by the reference model ({@link EngagementModel}) over
 * the generator's stream.
 */
final class LateStream {
  private static final Pattern EVENT_ID = Pattern.compile("eventId[\\\\\"]*:[\\\\\"]*(e\\d+)");

  private LateStream() {}

  /** What the reference model gives: per-(user, window) totals, and the late events' ids. */
  record Model(Map<String, EngagementTotals.Counts> results, Set<String> late) {}

  /**
   * The event ids in {@code <outputDir>/engagement/late}; fails on a line without one or a repeat.
   */
  static Set<String> read(Path outputDir) {
    Set<String> ids = new TreeSet<>();
    for (String line : EngagementTotals.lines(outputDir.resolve("engagement/late"))) {
      Matcher m = EVENT_ID.matcher(line);
      assertTrue("no event id in " + line, m.find());
      assertTrue("routed twice: " + m.group(1), ids.add(m.group(1)));
    }
    return ids;
  }

  /** The ids of the generator's late events that the engagement pipeline reads. */
  static Set<String> generated(List<String> generatorArgs) {
    GeneratorConfig config = config(generatorArgs);
    EventGenerator g = new EventGenerator(config);
    Set<String> ids = new TreeSet<>();
    for (long i = 0; i < config.maxEvents(); i++) {
      EventGenerator.Generated r = g.generate(i);
      if (r.late()) {
        String id = engagementId(r.payload());
        if (id != null) {
          ids.add(id);
        }
      }
    }
    return ids;
  }

  /**
   * The engagement model over the generator's stream in its order, with the generator's own
   * watermark (arrival minus the out-of-orderness bound), exact to the millisecond: fixed windows
   * of {@code windowMinutes}, {@code latenessMinutes} of allowed lateness.
   */
  static Model model(List<String> generatorArgs, int windowMinutes, int latenessMinutes) {
    GeneratorConfig config = config(generatorArgs);
    EngagementModel.Output out =
        EngagementModel.run(
            GeneratorArrivals.of(new EventGenerator(config), config.maxEvents(), 1),
            Windowing.minutes(windowMinutes, latenessMinutes));
    Map<String, EngagementTotals.Counts> results = new TreeMap<>();
    for (Map.Entry<WindowKey, EngagementModel.Score> e : out.results().entrySet()) {
      EngagementModel.Score s = e.getValue();
      results.merge(
          e.getKey().key() + "@" + e.getKey().start(),
          new EngagementTotals.Counts(s.totalEvents(), s.views(), s.clicks(), s.purchases()),
          EngagementTotals.Counts::plus);
    }
    Set<String> late = new TreeSet<>();
    for (Late<SpecificRecord> l : out.late()) {
      assertTrue("the model routed " + l.event() + " twice", late.add(engagementId(l.event())));
    }
    return new Model(results, late);
  }

  /**
   * The reference totals over every decodable event but those whose id is in {@code late}: what a
   * run that routed exactly {@code late} to the late stream must have counted in its windows.
   */
  static Map<String, EngagementTotals.Counts> referenceWithout(
      List<String> generatorArgs, int windowMinutes, Set<String> late) {
    GeneratorConfig config = config(generatorArgs);
    EventGenerator g = new EventGenerator(config);
    Set<Long> excluded = new HashSet<>();
    Set<String> found = new HashSet<>();
    for (long i = 0; i < config.maxEvents(); i++) {
      String id = engagementId(g.generate(i).payload());
      if (id != null && late.contains(id)) {
        excluded.add(i);
        found.add(id);
      }
    }
    assertTrue("routed late but never generated: " + late, found.containsAll(late));
    return EngagementTotals.reference(generatorArgs, windowMinutes, i -> !excluded.contains(i));
  }

  static GeneratorConfig config(List<String> generatorArgs) {
    return Sources.generatorConfig(
        PipelineOptionsFactory.fromArgs(generatorArgs.toArray(new String[0]))
            .as(SourceOptions.class));
  }

  /** The event id of a view, click or purchase in {@code payload}; null for others and garbage. */
  static String engagementId(byte[] payload) {
    try {
      return engagementId(Events.decode(payload));
    } catch (DecodeException | RuntimeException e) {
      return null; // a dead letter
    }
  }

  private static String engagementId(SpecificRecord e) {
    if (e instanceof PageView v) {
      return v.getEventId().toString();
    } else if (e instanceof Click c) {
      return c.getEventId().toString();
    } else if (e instanceof Purchase p) {
      return p.getEventId().toString();
    }
    return null;
  }
}
