package io.tidemark.schemas;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * The self-describing wire formats of Tidemark events, for Kafka and files.
 *
 * <p><b>Binary</b> is Avro single-object encoding: {@code C3 01}, the 8-byte little-endian
 * fingerprint of the writer schema, then the Avro binary body. <b>JSON lines</b> are {@code
 * {"type":"Click","version":2,"event":{...}}} where {@code event} is the Avro JSON encoding of that
 * version.
 *
 * <p>Decoding looks the writer schema up among all versions in a {@link SchemaHistory} and resolves
 * it to the newest version, so a stream that mixes versions decodes into the latest classes with
 * defaults filled in. Every failure is a {@link DecodeException} with a reason; decoding never
 * throws anything else for bad input.
 *
 * <p>Both formats are one class because they share the schema history, the cached writers and
 * readers and the rules for field defaults and non-finite numbers, and each encoder sits beside its
 * decoder so that every record written reads back.
 */
public final class WireFormat {
  private static final byte MAGIC_0 = (byte) 0xC3;
  private static final byte MAGIC_1 = (byte) 0x01;
  private static final int HEADER = 10;
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final WireFormat SHIPPED = new WireFormat(SchemaHistory.shipped());

  /** Each thread's {@link Writer} per schema. */
  private static final ThreadLocal<Map<Schema, Writer>> WRITERS =
      ThreadLocal.withInitial(java.util.IdentityHashMap::new);

  /** Avro JSON encodings of field defaults; fields are compared by identity, as schemas are. */
  private static final Map<Schema.Field, JsonNode> JSON_DEFAULTS =
      java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());

  private static final String BOM = "\uFEFF";
  private static final Map<String, Double> NON_FINITE =
      Map.of(
          "NaN", Double.NaN,
          "Infinity", Double.POSITIVE_INFINITY,
          "-Infinity", Double.NEGATIVE_INFINITY);

  private final SchemaHistory history;
  private final Map<Long, Reader> readers = new ConcurrentHashMap<>();

  /** The reader of one writer version, and why that version cannot be read (null if it can). */
  private record Reader(DatumReader<SpecificRecord> datum, String incompatibility) {}

  public WireFormat(SchemaHistory history) {
    this.history = history;
  }

  /** The format over every schema version shipped in this jar. */
  public static WireFormat shipped() {
    return SHIPPED;
  }

  /** Single-object encoding of {@code record} with its own (current) schema. */
  public static byte[] encode(SpecificRecord record) {
    return encode(record, record.getSchema());
  }

  /** Single-object encoding of {@code record} written with {@code writer}. */
  public static byte[] encode(IndexedRecord record, Schema writer) {
    Writer w = WRITERS.get().computeIfAbsent(writer, Writer::of);
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    out.write(w.header(), 0, w.header().length);
    try {
      BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
      w.datum().write(record, enc);
      enc.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * A schema's single-object header and datum writer. Fingerprinting normalises the whole schema,
   * far costlier than encoding a record, and a datum writer builds its own caches: both are made
   * once per schema and thread (Avro does not promise that a datum writer is thread-safe).
   */
  private record Writer(byte[] header, SpecificDatumWriter<Object> datum) {
    static Writer of(Schema schema) {
      byte[] header =
          ByteBuffer.allocate(HEADER)
              .order(ByteOrder.LITTLE_ENDIAN)
              .put(MAGIC_0)
              .put(MAGIC_1)
              .putLong(SchemaNormalization.parsingFingerprint64(schema))
              .array();
      return new Writer(header, new SpecificDatumWriter<>(schema));
    }
  }

  /** One JSON line for {@code record}, written with its own (current) schema. */
  public static String toJson(SpecificRecord record) {
    return toJson(record, record.getSchema());
  }

  /** One JSON line for {@code record}, written with {@code writer}. */
  public static String toJson(IndexedRecord record, Schema writer) {
    try {
      ByteArrayOutputStream body = new ByteArrayOutputStream(128);
      JsonEncoder enc = EncoderFactory.get().jsonEncoder(writer, body);
      new SpecificDatumWriter<Object>(writer).write(record, enc);
      enc.flush();
      ObjectNode line = JSON.createObjectNode();
      line.put("type", writer.getName());
      line.put("version", (Integer) writer.getObjectProp("version"));
      line.set("event", JSON.readTree(body.toByteArray()));
      return JSON.writeValueAsString(line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Decodes a single-object-encoded record into the newest version of its type. */
  public SpecificRecord decode(byte[] bytes) throws DecodeException {
    if (bytes == null || bytes.length == 0) {
      throw new DecodeException("empty", "empty payload");
    }
    if (bytes.length < HEADER) {
      throw new DecodeException("truncated", "payload of " + bytes.length + " bytes has no header");
    }
    if (bytes[0] != MAGIC_0 || bytes[1] != MAGIC_1) {
      throw new DecodeException(
          "bad-header",
          String.format("not single-object encoded: starts %02x%02x", bytes[0], bytes[1]));
    }
    long fp = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    SchemaHistory.Version writer = history.byFingerprint(fp);
    if (writer == null) {
      throw new DecodeException(
          "unknown-fingerprint", "no shipped schema has fingerprint " + Long.toHexString(fp));
    }
    // Check lengths before Avro allocates them: a corrupt length must not become an OOM.
    String what = writer.name() + " v" + writer.version();
    if (BinaryBounds.end(writer.schema(), bytes, HEADER, what) != bytes.length) {
      throw new DecodeException("trailing-bytes", what + " payload has extra bytes");
    }
    BinaryDecoder dec =
        DecoderFactory.get().binaryDecoder(bytes, HEADER, bytes.length - HEADER, null);
    SpecificRecord record = read(writer, dec);
    try {
      if (!dec.isEnd()) {
        throw new DecodeException("trailing-bytes", what + " payload has extra bytes");
      }
    } catch (IOException e) {
      throw new DecodeException("truncated", e.toString(), e);
    }
    return record;
  }

  /**
   * Decodes one JSON line given as UTF-8 bytes; bytes that are not UTF-8 are {@code invalid-utf8}
   * (never replaced by U+FFFD), with the offset of the first bad byte.
   */
  public SpecificRecord decodeJson(byte[] utf8) throws DecodeException {
    if (utf8 == null) {
      throw new DecodeException("empty", "empty line");
    }
    ByteBuffer in = ByteBuffer.wrap(utf8);
    String line;
    try {
      line =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(in)
              .toString();
    } catch (CharacterCodingException e) {
      // On a coding error the decoder leaves the buffer at the first bad byte.
      throw new DecodeException(
          "invalid-utf8",
          String.format(
              "not UTF-8 at byte %d of %d: %02x",
              in.position(), utf8.length, in.get(in.position())),
          e);
    }
    return decodeJson(line);
  }

  /**
   * Decodes one JSON line into the newest version of its type. A leading byte-order mark is
   * ignored. A field the line leaves out gets its schema default, as Avro schema resolution gives
   * binary records; a missing field without a default is {@code missing-field}.
   */
  public SpecificRecord decodeJson(String line) throws DecodeException {
    if (line != null && line.startsWith(BOM)) {
      line = line.substring(1);
    }
    if (line == null || line.isBlank()) {
      throw new DecodeException("empty", "empty line");
    }
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new DecodeException("not-json", e.getOriginalMessage(), e);
    }
    if (node == null || !node.isObject()) {
      throw new DecodeException("not-json", "not a JSON object");
    }
    String type = textField(node, "type");
    JsonNode version = node.get("version");
    if (version == null || !version.isIntegralNumber() || !version.canConvertToInt()) {
      throw new DecodeException("missing-field", "field 'version' is missing or not an integer");
    }
    JsonNode event = node.get("event");
    if (event == null || !event.isObject()) {
      throw new DecodeException("missing-field", "field 'event' is missing or not an object");
    }
    SchemaHistory.Version writer;
    try {
      writer = history.find(type, version.intValue());
    } catch (IllegalArgumentException e) {
      writer = null;
    }
    if (writer == null) {
      throw new DecodeException("unknown-schema", "no shipped schema " + type + " v" + version);
    }
    try {
      for (Schema.Field f : writer.schema().getFields()) {
        if (event.has(f.name())) {
          continue;
        }
        if (!f.hasDefaultValue()) {
          throw new DecodeException(
              "missing-field",
              writer.name() + " v" + writer.version() + ": field '" + f.name() + "' is missing");
        }
        ((ObjectNode) event).set(f.name(), jsonDefault(f));
      }
      Map<String, Double> nonFinite = takeNonFinite(writer.schema(), (ObjectNode) event);
      String text = event.toString();
      int bad = unpairedSurrogate(text);
      if (bad >= 0) {
        throw new DecodeException(
            "invalid-utf8",
            String.format(
                "%s v%d: an escaped unpaired surrogate \\u%04x is no Unicode text",
                writer.name(), writer.version(), (int) text.charAt(bad)));
      }
      SpecificRecord record = read(writer, DecoderFactory.get().jsonDecoder(writer.schema(), text));
      nonFinite.forEach(
          (name, v) -> {
            Schema.Field f = record.getSchema().getField(name);
            if (f != null) {
              record.put(f.pos(), f.schema().getType() == Schema.Type.FLOAT ? v.floatValue() : v);
            }
          });
      return record;
    } catch (IOException e) {
      throw new DecodeException("bad-json", e.toString(), e);
    }
  }

  private SpecificRecord read(SchemaHistory.Version writer, org.apache.avro.io.Decoder dec)
      throws DecodeException {
    Reader reader = readers.computeIfAbsent(writer.fingerprint(), fp -> readerFor(writer));
    try {
      return reader.datum().read(null, dec);
    } catch (EOFException e) {
      throw new DecodeException("truncated", writer.name() + " payload ended early", e);
    } catch (AvroTypeException e) {
      String msg = String.valueOf(e.getMessage());
      if (reader.incompatibility() != null) {
        // The writer version is not readable as the newest ("Found string, expecting long",
        // "No match for SAVE"): name the fields, which Avro's message does not.
        throw new DecodeException("incompatible", reader.incompatibility() + " (" + msg + ")", e);
      }
      String reason =
          msg.contains("not found")
              ? "missing-field"
              : msg.startsWith("Found") ? "incompatible" : "wrong-type";
      throw new DecodeException(reason, writer.name() + ": " + msg, e);
    } catch (IOException | RuntimeException e) {
      throw new DecodeException("corrupt", writer.name() + ": " + e, e);
    }
  }

  private Reader readerFor(SchemaHistory.Version writer) {
    SchemaHistory.Version latest = history.latest(writer.name());
    String why = CompatibilityRules.describeIncompatibility(latest.schema(), writer.schema());
    return new Reader(
        new SpecificDatumReader<>(writer.schema(), latest.schema()),
        why == null
            ? null
            : writer.name()
                + " v"
                + writer.version()
                + " cannot be read as v"
                + latest.version()
                + ": "
                + why);
  }

  /**
   * Avro's JSON encoder writes a non-finite float or double as the string {@code "NaN"}, {@code
   * "Infinity"} or {@code "-Infinity"}, which its decoder rejects. Takes those values out of the
   * top-level number fields of {@code event} (a 0 stands in for Avro) to be put back after
   * decoding, so that every line {@link #toJson} writes reads back.
   */
  private static Map<String, Double> takeNonFinite(Schema writer, ObjectNode event) {
    Map<String, Double> out = new java.util.HashMap<>();
    for (Schema.Field f : writer.getFields()) {
      Schema.Type type = f.schema().getType();
      JsonNode v = event.get(f.name());
      if ((type == Schema.Type.DOUBLE || type == Schema.Type.FLOAT) && v.isTextual()) {
        Double value = NON_FINITE.get(v.asText());
        if (value != null) {
          out.put(f.name(), value);
          event.put(f.name(), 0);
        }
      }
    }
    return out;
  }

  /** The index of the first surrogate char of {@code s} that is not part of a pair, or -1. */
  private static int unpairedSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  /** The Avro JSON encoding of a field's default (a union's is that of its first branch). */
  private static JsonNode jsonDefault(Schema.Field field) {
    return JSON_DEFAULTS
        .computeIfAbsent(
            field,
            f -> {
              try {
                ByteArrayOutputStream out = new ByteArrayOutputStream(16);
                JsonEncoder enc = EncoderFactory.get().jsonEncoder(f.schema(), out);
                new GenericDatumWriter<Object>(f.schema())
                    .write(GenericData.get().getDefaultValue(f), enc);
                enc.flush();
                return JSON.readTree(out.toByteArray());
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            })
        .deepCopy();
  }

  private static String textField(JsonNode node, String field) throws DecodeException {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual()) {
      throw new DecodeException(
          "missing-field", "field '" + field + "' is missing or not a string");
    }
    return v.asText();
  }
}
