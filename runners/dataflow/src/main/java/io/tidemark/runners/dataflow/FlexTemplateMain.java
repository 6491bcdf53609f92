package io.tidemark.runners.dataflow;

import io.tidemark.pipelines.Tidemark;
import java.util.ArrayList;
import java.util.List;

/**
 * The main class of the Flex Template. The template launcher passes only {@code --name=value}
 * parameters, while the {@link Tidemark} CLI takes the pipeline name first: this takes it from
 * {@code --pipeline} ({@code engagement} when absent) and hands the rest to the CLI, with {@code
 * --streaming} unless a {@code --streaming} parameter says otherwise (the pipelines' sources are
 * unbounded).
 */
public final class FlexTemplateMain {
  static final String DEFAULT_PIPELINE = "engagement";

  private FlexTemplateMain() {}

  public static void main(String[] args) {
    Tidemark.main(cliArgs(args));
  }

  /** {@code [--pipeline=p] rest...} as the CLI's {@code p rest... [--streaming]}. */
  static String[] cliArgs(String[] args) {
    String pipeline = DEFAULT_PIPELINE;
    List<String> rest = new ArrayList<>();
    boolean streaming = false;
    for (String a : args) {
      if (a.startsWith("--pipeline=")) {
        pipeline = a.substring("--pipeline=".length());
      } else {
        streaming |= a.equals("--streaming") || a.startsWith("--streaming=");
        rest.add(a);
      }
    }
    rest.add(0, pipeline);
    if (!streaming) {
      rest.add("--streaming");
    }
    return rest.toArray(new String[0]);
  }
}
