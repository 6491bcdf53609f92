package io.tidemark.schemas;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.tidemark.schemas.CompatibilityRules.Violation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.Test;

/**
 * The schema-evolution rules, checked on every record shipped in this jar. A new schema file that
 * breaks a rule fails {@code mvn verify} with a message naming the schema, versions and field.
 */
public class ShippedSchemasTest {
  private static final SchemaHistory SHIPPED = SchemaHistory.shipped();

  @Test
  public void everyEventAndResultTypeIsShipped() {
    assertEquals(
        SchemaHistory.EVENT_TYPES.size() + SchemaHistory.RESULT_TYPES.size(),
        SHIPPED.names().size());
  }

  @Test
  public void newestVersionReadsEveryEarlierVersion() {
    assertNoViolations(eachName(CompatibilityRules::backward));
  }

  @Test
  public void everyVersionIsForwardCompatibleWithThePreviousOne() {
    assertNoViolations(eachName(CompatibilityRules::forward));
  }

  @Test
  public void theOnlyForwardExceptionIsTheDocumentedTransactionAmountWidening() {
    List<String> widenings = new ArrayList<>();
    SHIPPED
        .names()
        .forEach(n -> widenings.addAll(CompatibilityRules.widenings(SHIPPED.versions(n))));
    assertEquals(List.of("Transaction v2 widens 'amount' from float to double"), widenings);
  }

  @Test
  public void everyFieldAddedAfterV1HasADefault() {
    assertNoViolations(eachName(CompatibilityRules::addedFieldsHaveDefaults));
  }

  @Test
  public void versionsAreNumberedOneToCurrent() {
    assertNoViolations(eachName(CompatibilityRules::numbering));
  }

  @Test
  public void currentVersionIsNumberOfHistoryFilesPlusOne() {
    List<String> files = CompatibilityRules.shippedHistoryFiles();
    assertTrue("history files found: " + files, files.contains("Click.v1.avsc"));
    assertNoViolations(CompatibilityRules.historyFiles(SHIPPED, files));
  }

  @Test
  public void clickAndTransactionAreAtVersionTwo() {
    assertEquals(2, SHIPPED.latest("Click").version());
    assertEquals(2, SHIPPED.latest("Transaction").version());
    assertEquals(1, SHIPPED.latest("PageView").version());
  }

  /** Catches an edited schema whose "version" was not bumped (old payloads would not decode). */
  @Test
  public void releasedVersionsNeverChange() throws IOException {
    assertNoViolations(CompatibilityRules.released(SHIPPED, released()));
  }

  @Test
  public void allRulesTogether() {
    assertNoViolations(CompatibilityRules.check(SHIPPED));
  }

  /** {@code released-versions.txt}: one {@code <Name> v<k> <fingerprint hex>} per line. */
  static Map<String, Long> released() throws IOException {
    Map<String, Long> out = new LinkedHashMap<>();
    try (InputStream in = ShippedSchemasTest.class.getResourceAsStream("released-versions.txt")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String l = line.strip();
        if (l.isEmpty() || l.startsWith("#")) {
          continue;
        }
        String[] p = l.split("\\s+");
        out.put(p[0] + " " + p[1], Long.parseUnsignedLong(p[2], 16));
      }
    }
    return out;
  }

  private static List<Violation> eachName(
      java.util.function.Function<List<SchemaHistory.Version>, List<Violation>> rule) {
    List<Violation> out = new ArrayList<>();
    SHIPPED.names().forEach(n -> out.addAll(rule.apply(SHIPPED.versions(n))));
    return out;
  }

  static void assertNoViolations(List<Violation> violations) {
    assertTrue(
        violations.size()
            + " schema rule violation(s):\n"
            + violations.stream().map(Violation::toString).collect(Collectors.joining("\n")),
        violations.isEmpty());
  }
}
