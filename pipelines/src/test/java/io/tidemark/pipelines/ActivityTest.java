package io.tidemark.pipelines;

import static io.tidemark.pipelines.Fixture.click;
import static io.tidemark.pipelines.Fixture.purchase;
import static io.tidemark.pipelines.Fixture.view;
import static org.junit.Assert.assertEquals;

import io.tidemark.schemas.Click;
import io.tidemark.schemas.PageView;
import io.tidemark.schemas.Purchase;
import java.util.List;
import org.apache.beam.sdk.testing.CoderProperties;
import org.junit.Test;

public class ActivityTest {
  private static final PageView VIEW = view("u", "c1", "10:00");
  private static final Click CLICK = click("u", "p1", "10:01");
  private static final Purchase PURCHASE = purchase("u", "p2", "10:02");

  @Test
  public void eachEventTypeIsItsKindWithItsUserItemAndPoints() {
    assertEquals(new Activity(Activity.Kind.VIEW, "u", "c1", VIEW), Activity.of(VIEW));
    assertEquals(new Activity(Activity.Kind.CLICK, "u", "p1", CLICK), Activity.of(CLICK));
    assertEquals(new Activity(Activity.Kind.PURCHASE, "u", "p2", PURCHASE), Activity.of(PURCHASE));
    assertEquals(
        List.of(1, 3, 10),
        List.of(
            Activity.of(VIEW).points(),
            Activity.of(CLICK).points(),
            Activity.of(PURCHASE).points()));
  }

  @Test
  public void theCoderRoundTripsEveryKindAndIsDeterministic() throws Exception {
    for (Activity a : List.of(Activity.of(VIEW), Activity.of(CLICK), Activity.of(PURCHASE))) {
      CoderProperties.coderDecodeEncodeEqual(Activity.CODER, a);
      Activity equal = new Activity(a.kind(), a.userId(), a.item(), a.event());
      CoderProperties.coderDeterministic(Activity.CODER, a, equal);
    }
    Activity.CODER.verifyDeterministic();
  }
}
