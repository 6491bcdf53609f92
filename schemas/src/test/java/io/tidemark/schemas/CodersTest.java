package io.tidemark.schemas;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.CoderProperties;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;

/**
 * Beam's {@link AvroCoder} for every event and result type: round trips, serializability and, for
 * the types whose coder is deterministic, determinism.
 */
@RunWith(Parameterized.class)
public class CodersTest {

  /**
   * The types whose AvroCoder fails {@code verifyDeterministic}, with the message. Today there are
   * none (no maps, no unordered collections), so every record coder could be a grouping key; keys
   * are Strings, though. A schema change that makes a coder non-deterministic (for example a map
   * field) fails this test until the type is listed here.
   */
  static final Map<String, String> NON_DETERMINISTIC = Map.of();

  @Parameters(name = "{0}")
  public static List<Object[]> types() {
    List<Object[]> out = new ArrayList<>();
    List<Class<? extends SpecificRecord>> all = new ArrayList<>(SchemaHistory.EVENT_TYPES);
    all.addAll(SchemaHistory.RESULT_TYPES);
    for (Class<? extends SpecificRecord> t : all) {
      out.add(new Object[] {t.getSimpleName(), t});
    }
    return out;
  }

  private final String name;
  private final Class<SpecificRecord> type;

  @SuppressWarnings("unchecked")
  public CodersTest(String name, Class<?> type) {
    this.name = name;
    this.type = (Class<SpecificRecord>) type;
  }

  @Test
  public void roundTrips() throws Exception {
    AvroCoder<SpecificRecord> coder = AvroCoder.of(type);
    for (long seed = 0; seed < 5; seed++) {
      SpecificRecord value = Samples.filled(type, seed);
      CoderProperties.coderDecodeEncodeEqual(coder, value);
      CoderProperties.coderDecodeEncodeInContext(coder, Coder.Context.OUTER, value, equalTo(value));
    }
    CoderProperties.coderSerializable(coder);
  }

  @Test
  public void deterministicUnlessListed() throws Exception {
    AvroCoder<SpecificRecord> coder = AvroCoder.of(type);
    String failure = null;
    try {
      coder.verifyDeterministic();
    } catch (Coder.NonDeterministicException e) {
      failure = e.getMessage();
    }
    assertEquals(name, NON_DETERMINISTIC.get(name), failure);
    if (failure == null) {
      for (long seed = 0; seed < 5; seed++) {
        // Two equal but distinct instances must encode to the same bytes.
        CoderProperties.coderDeterministic(
            coder, Samples.filled(type, seed), Samples.filled(type, seed));
      }
    }
  }
}
