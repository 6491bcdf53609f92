package io.tidemark.schemas.bench;

import static org.hamcrest.Matchers.equalTo;

import io.tidemark.schemas.Click;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.testing.CoderProperties;
import org.junit.Test;

/** The benchmark's hand-written coder is correct, so its figures compare like with like. */
public class ClickCoderTest {
  @Test
  public void roundTripsAndIsDeterministic() throws Exception {
    List<Click> clicks = CoderBenchmark.clicks(50, 7);
    for (Click c : clicks) {
      CoderProperties.coderDecodeEncodeEqual(ClickCoder.of(), c);
      CoderProperties.coderDecodeEncodeInContext(
          ClickCoder.of(), Coder.Context.OUTER, c, equalTo(c));
      CoderProperties.coderDeterministic(ClickCoder.of(), c, Click.newBuilder(c).build());
    }
    CoderProperties.coderSerializable(ClickCoder.of());
  }
}
