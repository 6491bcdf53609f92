package io.tidemark.pipelines.io;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.tidemark.pipelines.Output;
import io.tidemark.schemas.UserClicks;
import io.tidemark.schemas.WireFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The file sink spreads each output over its writers and loses no record. */
public class FileSinkTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void everyRecordIsWrittenOnceByAllTheWriters() throws Exception {
    List<UserClicks> records = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      records.add(new UserClicks("u" + i, (long) i, i + 300_000L, (long) i, "ON_TIME", 0L));
    }
    PCollection<UserClicks> in =
        p.apply(Create.of(records).withCoder(AvroCoder.of(UserClicks.class)));
    new FileSink(tmp.getRoot().toString(), 1, 3).write("clicks", new Output().with("results", in));
    p.run().waitUntilFinish();

    Path dir = tmp.getRoot().toPath().resolve("clicks/results");
    List<String> lines = new ArrayList<>();
    Set<String> shards = new TreeSet<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(x -> x.toString().endsWith(".jsonl")).toList()) {
        lines.addAll(Files.readAllLines(f));
        String name = f.getFileName().toString();
        assertTrue(name, name.contains("-of-00003"));
        shards.add(name.substring(name.indexOf("-of-") - 5, name.indexOf("-of-")));
      }
    }
    List<String> expected = new ArrayList<>(records.stream().map(WireFormat::toJson).toList());
    expected.sort(null);
    lines.sort(null);
    assertEquals(expected, lines);
    assertEquals("writers that wrote a file: " + shards, 3, shards.size());
  }
}
