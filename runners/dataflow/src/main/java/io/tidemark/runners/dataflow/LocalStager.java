package io.tidemark.runners.dataflow;

import com.google.api.services.dataflow.model.DataflowPackage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.dataflow.options.DataflowPipelineOptions;
import org.apache.beam.runners.dataflow.util.PackageUtil.StagedFile;
import org.apache.beam.runners.dataflow.util.Stager;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * A DataflowRunner {@link Stager} that stages to a local folder instead of Cloud Storage, so that
 * the real DataflowRunner can write a complete job spec without a network:
 *
 * <pre>
 * --runner=DataflowRunner --templateLocation=target/engagement-job.json
 * --stagerClass=io.tidemark.runners.dataflow.LocalStager
 * --credentialFactoryClass=org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory
 * --pathValidatorClass=org.apache.beam.sdk.extensions.gcp.storage.NoopPathValidator
 * --gcpTempLocation=gs://bucket/tmp --project=my-project --region=europe-west1
 * </pre>
 *
 * <p>Each package is copied to {@code --localStagingDir} under the destination name the runner
 * chose (which contains the file's hash, so a file already there is not copied again), and is
 * recorded in the spec at {@code <stagingLocation>/<name>}: uploading the folder's files to {@code
 * --stagingLocation} makes the spec launchable as it is. {@code staged-files.tsv} in the folder
 * lists, one line per package: location in the spec, local copy, SHA-256.
 */
public final class LocalStager implements Stager {
  static final String MANIFEST = "staged-files.tsv";

  private final Path dir;
  private final String stagingLocation;

  /** Location in the spec -> manifest line, in staging order. */
  private final Map<String, String> manifest = new LinkedHashMap<>();

  LocalStager(Path dir, String stagingLocation) {
    this.dir = dir;
    this.stagingLocation =
        stagingLocation.endsWith("/")
            ? stagingLocation.substring(0, stagingLocation.length() - 1)
            : stagingLocation;
  }

  /** Called by the DataflowRunner's {@code StagerFactory} for {@code --stagerClass}. */
  public static LocalStager fromOptions(PipelineOptions options) {
    String staging = options.as(DataflowPipelineOptions.class).getStagingLocation();
    if (staging == null || staging.isBlank()) {
      throw new IllegalArgumentException(
          "LocalStager needs --stagingLocation or --gcpTempLocation, was " + staging);
    }
    return new LocalStager(
        Paths.get(options.as(LocalStagerOptions.class).getLocalStagingDir()), staging);
  }

  /** The local folder packages are copied into. */
  public Path dir() {
    return dir;
  }

  @Override
  public List<DataflowPackage> stageFiles(List<StagedFile> files) {
    List<DataflowPackage> staged = new ArrayList<>();
    for (StagedFile f : files) {
      Path source = Paths.get(f.getSource());
      if (!Files.isRegularFile(source)) {
        throw new IllegalArgumentException("cannot stage " + source + ": not a regular file");
      }
      Path target = target(f.getDestination());
      try {
        Files.createDirectories(target.getParent());
        if (!Files.isRegularFile(target) || Files.size(target) != Files.size(source)) {
          Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot copy " + source + " to " + target, e);
      }
      DataflowPackage p = describe(f.getDestination());
      staged.add(p);
      record(p, target, f.getSha256());
    }
    return staged;
  }

  @Override
  public DataflowPackage stageToFile(byte[] bytes, String name) {
    write(name, bytes);
    DataflowPackage p = describe(name);
    record(p, target(name), "-");
    return p;
  }

  private DataflowPackage describe(String name) {
    return new DataflowPackage().setName(name).setLocation(stagingLocation + "/" + name);
  }

  private Path target(String name) {
    Path target = dir.resolve(name).normalize();
    if (!target.startsWith(dir.normalize())) {
      throw new IllegalArgumentException("staged name " + name + " leaves " + dir);
    }
    return target;
  }

  private void record(DataflowPackage p, Path local, String sha256) {
    manifest.put(p.getLocation(), p.getLocation() + '\t' + local + '\t' + sha256 + '\n');
    write(MANIFEST, String.join("", manifest.values()).getBytes(StandardCharsets.UTF_8));
  }

  private void write(String name, byte[] bytes) {
    Path target = target(name);
    try {
      Files.createDirectories(target.getParent());
      Files.write(target, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
  }
}
