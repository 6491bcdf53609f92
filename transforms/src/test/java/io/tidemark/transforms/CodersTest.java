package io.tidemark.transforms;

import static io.tidemark.transforms.Fixture.LATENESS;
import static io.tidemark.transforms.Fixture.at;
import static io.tidemark.transforms.Fixture.window;
import static org.junit.Assert.assertThrows;

import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.function.Supplier;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.testing.CoderProperties;
import org.junit.Test;

/**
 * Round trip, determinism and serializability of every coder of the transforms. Each value is built
 * twice by a supplier, so determinism is checked on equal but distinct objects.
 */
public class CodersTest {
  private static final Coder<String> STRING = StringUtf8Coder.of();
  private static final Coder<Integer> INT = VarIntCoder.of();

  @SafeVarargs
  private static <T> void checkCoder(Coder<T> coder, Supplier<T>... values) throws Exception {
    CoderProperties.coderSerializable(coder);
    coder.verifyDeterministic();
    for (Supplier<T> value : values) {
      CoderProperties.coderDecodeEncodeEqual(coder, value.get());
      CoderProperties.coderDeterministic(coder, value.get(), value.get());
      CoderProperties.structuralValueDecodeEncodeEqual(coder, value.get());
    }
  }

  @Test
  public void joined() throws Exception {
    checkCoder(
        Joined.coder(STRING, STRING, INT),
        () -> Joined.of("k", "left", 1),
        () -> Joined.of("k", null, 2),
        () -> Joined.of("k", "left", null),
        () -> Joined.of("", "", 0));
  }

  @Test
  public void intervalMatch() throws Exception {
    checkCoder(
        IntervalMatch.coder(STRING, STRING, INT),
        () -> IntervalMatch.of("k", "left", at(10), List.of()),
        () -> IntervalMatch.of("k", "left", at(10), List.of(3)),
        () -> IntervalMatch.of("k", "left", at(-10), List.of(3, 1, 2, 1)));
  }

  @Test
  public void leftOrRight() throws Exception {
    checkCoder(
        LeftOrRight.coder(STRING, INT),
        () -> LeftOrRight.<String, Integer>left("left"),
        () -> LeftOrRight.<String, Integer>right(7));
  }

  @Test
  public void heldRight() throws Exception {
    checkCoder(
        HeldRight.coder(STRING),
        () -> new HeldRight<>("right", at(5), false),
        () -> new HeldRight<>("right", at(5), true));
  }

  @Test
  public void lateRecord() throws Exception {
    checkCoder(
        LateRecord.coder(STRING),
        () -> new LateRecord<>("event", at(3), window(0), at(24), LATENESS),
        () -> new LateRecord<>("", at(-1), window(-10), at(0), org.joda.time.Duration.ZERO));
  }

  @Test
  public void rawRecord() throws Exception {
    checkCoder(
        RawRecord.coder(),
        () -> new RawRecord(new byte[] {1, 2, 3}, "kafka:clicks/0", 42),
        () -> new RawRecord(new byte[0], "", 0),
        () -> new RawRecord(new byte[70_000], "file:clicks.avro", Long.MAX_VALUE));
  }

  @Test
  public void parsed() throws Exception {
    checkCoder(
        Parsed.coder(STRING),
        () -> Parsed.<String>value("click"),
        () -> Parsed.<String>value(""),
        () ->
            Parsed.value(
                "click",
                ParseWithDeadLetters.deadLetter(
                    new RawRecord(new byte[] {'{', '}'}, "clicks.jsonl", 3),
                    "enrich-clicks",
                    "invalid-click",
                    "empty userId")),
        () ->
            Parsed.<String>deadLetter(
                ParseWithDeadLetters.deadLetter(
                    new RawRecord(new byte[] {0, 1, (byte) 0xFF}, "kafka:events/2", 17),
                    "decode",
                    "not-json",
                    "not JSON")),
        () ->
            Parsed.<String>deadLetter(
                ParseWithDeadLetters.deadLetter(
                    new RawRecord(new byte[0], "", 0), "s", "r", null)));
  }

  @Test
  public void coderWithANonDeterministicComponentIsNotDeterministic() {
    Coder<Double> nonDeterministic = DoubleCoder.of();
    List<Coder<?>> coders =
        List.of(
            Joined.coder(STRING, STRING, nonDeterministic),
            IntervalMatch.coder(nonDeterministic, STRING, INT),
            IntervalMatch.coder(STRING, STRING, nonDeterministic),
            LeftOrRight.coder(nonDeterministic, INT),
            Parsed.coder(nonDeterministic),
            HeldRight.coder(nonDeterministic),
            LateRecord.coder(nonDeterministic));
    for (Coder<?> coder : coders) {
      assertThrows(
          coder.toString(), Coder.NonDeterministicException.class, coder::verifyDeterministic);
    }
  }

  @Test
  public void unknownKindOfParsedRecordIsACoderError() {
    Coder<Parsed<String>> coder = Parsed.coder(STRING);
    assertThrows(
        CoderException.class, () -> coder.decode(new ByteArrayInputStream(new byte[] {7})));
  }

  @Test
  public void unknownJoinSideIsACoderError() {
    Coder<LeftOrRight<String, Integer>> coder = LeftOrRight.coder(STRING, INT);
    assertThrows(
        CoderException.class, () -> coder.decode(new ByteArrayInputStream(new byte[] {9})));
  }
}
