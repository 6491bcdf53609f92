package io.tidemark.runners.dataflow;

import org.apache.beam.runners.dataflow.options.DataflowPipelineOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.DefaultValueFactory;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Options of {@link LocalStager}. */
public interface LocalStagerOptions extends PipelineOptions {
  @Description(
      "Local folder the LocalStager (--stagerClass=io.tidemark.runners.dataflow.LocalStager) copies"
          + " the staged packages and the pipeline proto into. The job spec names them under"
          + " --stagingLocation: upload this folder's files there to launch the spec. Default:"
          + " staging/ beside --templateLocation.")
  @Default.InstanceFactory(StagingDirFactory.class)
  String getLocalStagingDir();

  void setLocalStagingDir(String value);

  /** {@code staging} beside the template file, or {@code staging} in the working folder. */
  final class StagingDirFactory implements DefaultValueFactory<String> {
    @Override
    public String create(PipelineOptions options) {
      String template = options.as(DataflowPipelineOptions.class).getTemplateLocation();
      if (template == null || template.isBlank() || template.contains("://")) {
        return "staging";
      }
      java.nio.file.Path parent = java.nio.file.Paths.get(template).toAbsolutePath().getParent();
      return parent.resolve("staging").toString();
    }
  }
}
