package io.tidemark.schemas;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.Assert.assertEquals;

import io.tidemark.schemas.CompatibilityRules.Violation;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * One negative test per rule Tidemark relies on, each with a synthetic schema version that breaks
 * it; each asserts that the violation names the field (and symbol or types).
 */
public class CompatibilityRulesTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void fieldAddedWithoutDefaultBreaksBackwardCompatibility() {
    List<SchemaHistory.Version> versions =
        Synthetic.shippedPlus("Click.v3-field-without-default.avsc");

    List<Violation> backward = CompatibilityRules.backward(versions);

    assertThat(backward, hasSize(2)); // v3 can read neither v1 nor v2
    for (Violation v : backward) {
      assertEquals("campaign", v.field());
      assertThat(v.toString(), containsString("Click v3 reading v"));
      assertThat(v.toString(), containsString("rule backward at field 'campaign'"));
      assertThat(v.toString(), containsString("reader field 'campaign' has no default"));
    }
    assertThat(messages(CompatibilityRules.forward(versions)), empty());
  }

  @Test
  public void fieldAddedWithoutDefaultBreaksTheAddedFieldDefaultRule() {
    List<Violation> violations =
        CompatibilityRules.addedFieldsHaveDefaults(
            Synthetic.shippedPlus("Click.v3-field-without-default.avsc"));

    assertThat(
        messages(violations),
        contains(
            "Click v3 breaks rule added-field-default at field 'campaign':"
                + " field added after v1 has no default"));
  }

  @Test
  public void nestedFieldAddedWithoutDefaultIsNamedByItsPath() {
    List<SchemaHistory.Version> versions =
        Synthetic.shippedPlus("EnrichedClick.v3-nested-field-without-default.avsc");

    // backward: once against each earlier version, v1 and v2
    assertThat(
        fields(CompatibilityRules.backward(versions)),
        contains("click.campaign", "click.campaign"));
    assertThat(
        fields(CompatibilityRules.addedFieldsHaveDefaults(versions)), contains("click.campaign"));
  }

  @Test
  public void removedEnumSymbolBreaksBackwardCompatibility() {
    List<Violation> backward =
        CompatibilityRules.backward(
            Synthetic.shippedPlus("ContentInteraction.v2-symbol-removed.avsc"));

    assertThat(backward, hasSize(1));
    String message = backward.get(0).toString();
    assertEquals("interaction", backward.get(0).field());
    assertThat(message, containsString("ContentInteraction v2 reading v1"));
    assertThat(message, containsString("at field 'interaction'"));
    assertThat(
        message, containsString("reader enum InteractionType lacks writer symbols [COMMENT]"));
  }

  @Test
  public void addedEnumSymbolBreaksForwardCompatibilityWhenTheOldEnumHasNoDefault() {
    List<SchemaHistory.Version> versions =
        Synthetic.shippedPlus("ContentInteraction.v2-symbol-added.avsc");

    assertThat(messages(CompatibilityRules.backward(versions)), empty());
    List<Violation> forward = CompatibilityRules.forward(versions);
    assertThat(forward, hasSize(1));
    assertEquals("interaction", forward.get(0).field());
    assertThat(forward.get(0).toString(), containsString("ContentInteraction v1 reading v2"));
    assertThat(forward.get(0).toString(), containsString("lacks writer symbols [SAVE]"));
  }

  @Test
  public void narrowedDoubleToFloatBreaksBackwardCompatibility() {
    List<SchemaHistory.Version> versions =
        Synthetic.shippedPlus("Transaction.v3-amount-narrowed.avsc");

    List<Violation> backward = CompatibilityRules.backward(versions);

    assertThat(backward, hasSize(1)); // v1 was a float too: only v2 is unreadable
    assertEquals("amount", backward.get(0).field());
    assertThat(backward.get(0).toString(), containsString("Transaction v3 reading v2"));
    assertThat(
        backward.get(0).toString(),
        containsString("reader type: FLOAT not compatible with writer type: DOUBLE"));
    // Narrowing is not a widening: the older reader reads the narrower value.
    assertThat(messages(CompatibilityRules.forward(versions)), empty());
  }

  @Test
  public void narrowedLongToIntBreaksBackwardCompatibility() {
    List<Violation> backward =
        CompatibilityRules.backward(Synthetic.shippedPlus("PageView.v2-duration-narrowed.avsc"));

    assertThat(backward, hasSize(1));
    assertEquals("durationMs", backward.get(0).field());
    assertThat(
        backward.get(0).toString(),
        containsString("reader type: INT not compatible with writer type: LONG"));
  }

  @Test
  public void removedFieldWithoutDefaultInThePreviousVersionBreaksForwardCompatibility() {
    List<SchemaHistory.Version> versions = Synthetic.shippedPlus("Purchase.v2-field-removed.avsc");

    assertThat(messages(CompatibilityRules.backward(versions)), empty());
    List<Violation> forward = CompatibilityRules.forward(versions);
    assertThat(forward, hasSize(1));
    assertEquals("amount", forward.get(0).field());
    assertThat(forward.get(0).toString(), containsString("Purchase v1 reading v2"));
  }

  @Test
  public void wideningIsAllowedForwardButReported() {
    List<SchemaHistory.Version> transaction = SchemaHistory.shipped().versions("Transaction");

    assertThat(messages(CompatibilityRules.forward(transaction)), empty());
    assertThat(
        CompatibilityRules.widenings(transaction),
        contains("Transaction v2 widens 'amount' from float to double"));
  }

  @Test
  public void compatibleNewVersionPassesEveryRule() {
    SchemaHistory history = Synthetic.historyPlus("Click.v3-compatible.avsc");

    assertThat(messages(CompatibilityRules.check(history)), empty());
  }

  @Test
  public void checkReportsEveryBrokenRuleOfAHistory() {
    SchemaHistory history = Synthetic.historyPlus("Click.v3-field-without-default.avsc");

    List<String> rules =
        CompatibilityRules.check(history).stream().map(Violation::rule).distinct().toList();

    assertThat(rules, contains("backward", "added-field-default"));
  }

  @Test
  public void versionsOutOfOrderBreakNumbering() {
    List<SchemaHistory.Version> click = SchemaHistory.shipped().versions("Click");
    List<SchemaHistory.Version> swapped = List.of(click.get(1), click.get(0));

    assertThat(
        messages(CompatibilityRules.numbering(swapped)),
        contains(
            "Click v2 breaks rule numbering: is entry 1 of the history; versions must be 1..2",
            "Click v1 breaks rule numbering: is entry 2 of the history; versions must be 1..2"));
  }

  @Test
  public void historyFileCountMustBeCurrentVersionMinusOne() {
    SchemaHistory shipped = SchemaHistory.shipped();

    // The current v2 was copied to history but "version" was not bumped to 3.
    List<Violation> extra =
        CompatibilityRules.historyFiles(
            shipped,
            List.of(
                "Click.v1.avsc", "Click.v2.avsc", "EnrichedClick.v1.avsc", "Transaction.v1.avsc"));
    assertThat(
        messages(extra),
        contains(
            "Click v2 breaks rule numbering: current version 2 needs history files v[1]"
                + " (history files + 1 = current) but found v[1, 2]"));

    List<Violation> missing =
        CompatibilityRules.historyFiles(shipped, List.of("Click.v1.avsc", "EnrichedClick.v1.avsc"));
    assertThat(missing, hasSize(1));
    assertEquals("Transaction", missing.get(0).schema());

    List<Violation> badNames =
        CompatibilityRules.historyFiles(
            shipped,
            List.of(
                "Click.v1.avsc",
                "EnrichedClick.v1.avsc",
                "Transaction.v1.avsc",
                "Click-v1.avsc",
                "Nope.v1.avsc"));
    assertThat(
        messages(badNames),
        contains(
            "Click-v1.avsc breaks rule numbering: history file name is not <Name>.v<k>.avsc",
            "Nope.v1.avsc breaks rule numbering: no current schema is named Nope"));
  }

  @Test
  public void historyFilesAreListedFromAJarToo() throws Exception {
    Path jar = tmp.newFile("schemas.jar").toPath();
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      for (String f : List.of("Click.v1.avsc", "Transaction.v1.avsc")) {
        out.putNextEntry(new JarEntry("io/tidemark/schemas/history/" + f));
        out.write("{}".getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
    }
    URL url = new URL("jar:" + jar.toUri() + "!/io/tidemark/schemas/history");

    assertEquals(List.of("Click.v1.avsc", "Transaction.v1.avsc"), CompatibilityRules.filesAt(url));
  }

  @Test
  public void changingAReleasedVersionBreaksTheReleasedRule() throws Exception {
    Map<String, Long> pinned = new LinkedHashMap<>(ShippedSchemasTest.released());
    // Pretend Click v2 was released with the fingerprint the synthetic v3 has: the shipped v2
    // then looks edited in place.
    long other = Synthetic.shippedPlus("Click.v3-compatible.avsc").get(2).fingerprint();
    pinned.put("Click v2", other);
    pinned.remove("PageView v1");

    List<String> messages = messages(CompatibilityRules.released(SchemaHistory.shipped(), pinned));

    assertThat(messages, hasSize(2));
    assertThat(messages.get(0), containsString("Click v2 breaks rule released: changed after"));
    assertThat(messages.get(0), containsString("bump \"version\""));
    assertThat(
        messages.get(1),
        containsString(
            "PageView v1 breaks rule released: not pinned; if it is a new version add the line"
                + " \"PageView v1 5f33f8cf9d5b2755\""));
  }

  @Test
  public void fieldPathFollowsRecordsUnionsArraysAndMaps() {
    Schema s =
        new Schema.Parser()
            .parse(
                "{\"type\":\"record\",\"name\":\"R\",\"fields\":["
                    + "{\"name\":\"a\",\"type\":\"int\"},"
                    + "{\"name\":\"u\",\"type\":[\"null\",{\"type\":\"record\",\"name\":\"N\","
                    + "\"fields\":[{\"name\":\"x\",\"type\":{\"type\":\"array\",\"items\":"
                    + "{\"type\":\"map\",\"values\":\"long\"}}}]}]}]}");

    assertEquals("a", CompatibilityRules.fieldPath(s, "/fields/0/type"));
    assertEquals(
        "u.x[]{}", CompatibilityRules.fieldPath(s, "/fields/1/type/1/fields/0/type/items/values"));
    assertEquals("", CompatibilityRules.fieldPath(s, "/"));
  }

  private static List<String> messages(List<Violation> violations) {
    return violations.stream().map(Violation::toString).collect(Collectors.toList());
  }

  private static List<String> fields(List<Violation> violations) {
    return new ArrayList<>(violations.stream().map(Violation::field).toList());
  }
}
