package io.tidemark.pipelines;

import io.tidemark.pipelines.options.LateRoutingOptions;
import io.tidemark.pipelines.options.WindowOptions;
import io.tidemark.transforms.EventWindows;
import io.tidemark.transforms.LateEvents;
import java.lang.reflect.Method;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.joda.time.Duration;

/** Option checks that fail fast with a message naming the option and its value. */
public final class Options {
  /** One week: lateness beyond this keeps window state far longer than any user expects. */
  public static final int MAX_LATENESS_MINUTES = 7 * 24 * 60;

  private Options() {}

  static void checkWindow(WindowOptions o, String option, int windowMinutes) {
    require(windowMinutes > 0, "--%s must be positive, was %s", option, windowMinutes);
    checkLateness("allowedLatenessMinutes", o.getAllowedLatenessMinutes());
    require(
        o.getEarlyFiringSeconds() >= 0,
        "--earlyFiringSeconds must not be negative, was %s",
        o.getEarlyFiringSeconds());
    checkLateRouting(o);
  }

  /** Checks the options of the late-events router. */
  public static void checkLateRouting(LateRoutingOptions o) {
    require(
        o.getLateTickMinutes() > 0,
        "--lateTickMinutes must be positive, was %s",
        o.getLateTickMinutes());
    require(
        o.getLateMaxIdleTicks() >= 0,
        "--lateMaxIdleTicks must not be negative, was %s",
        o.getLateMaxIdleTicks());
    require(
        o.getLateShards() >= 0 && o.getLateShards() <= LateEvents.MAX_SHARDS,
        "--lateShards must be in [0, %s] (0: from the runner's parallelism), was %s",
        LateEvents.MAX_SHARDS,
        o.getLateShards());
  }

  /**
   * The late-events router of {@code policy} as the options configure it; its shards follow the
   * runner's parallelism ({@link LateEvents#defaultShards}) unless {@code --lateShards} is set.
   */
  public static <T> LateEvents<T> lateEvents(EventWindows<T> policy, LateRoutingOptions o) {
    checkLateRouting(o);
    LateEvents<T> router =
        LateEvents.of(policy)
            .withTick(Duration.standardMinutes(o.getLateTickMinutes()))
            .withMaxIdleTicks(o.getLateMaxIdleTicks());
    return o.getLateShards() > 0 ? router.withShards(o.getLateShards()) : router;
  }

  /** Checks a lateness option: in {@code [0, MAX_LATENESS_MINUTES]}. */
  public static void checkLateness(String option, int minutes) {
    require(
        minutes >= 0 && minutes <= MAX_LATENESS_MINUTES,
        "--%s must be in [0, %s], was %s",
        option,
        MAX_LATENESS_MINUTES,
        minutes);
  }

  /** The zone named by option {@code option}; fails naming the option and the value. */
  public static ZoneId zone(String option, String id) {
    try {
      return ZoneId.of(id);
    } catch (DateTimeException | NullPointerException e) {
      throw new IllegalArgumentException(
          String.format(
              "--%s must be a time zone id such as UTC, Europe/Paris or +02:00, was '%s'",
              option, id),
          e);
    }
  }

  /**
   * Parses {@code --name=value} arguments into options of {@code type} as Beam does; a value Beam
   * cannot convert, or a bare {@code --name} of an option that needs a value, fails with one line
   * naming the option and the value.
   */
  public static <T extends PipelineOptions> T parse(String[] args, Class<T> type) {
    return parse(args, type, List.of(), List.of());
  }

  /**
   * Parses {@code --name=value} arguments into options of {@code type} and of the interfaces {@code
   * with} as Beam does, strictly, as {@link #parse(String[], Class)}: Beam takes exactly the
   * options of {@code type}, of the interfaces registered with it (the runners') and of {@code
   * with}, which this registers; any other option fails with one line naming it. So does an option
   * that only {@code without} declare, whether or not an earlier parse in this JVM registered them:
   * so each run takes exactly the options of its own interfaces.
   */
  public static <T extends PipelineOptions> T parse(
      String[] args,
      Class<T> type,
      List<Class<? extends PipelineOptions>> with,
      Collection<Class<? extends PipelineOptions>> without) {
    List<Class<?>> known = new ArrayList<>(List.of(type));
    known.addAll(with);
    Set<String> taken = new HashSet<>();
    for (Class<?> i : known) {
      taken.addAll(properties(i));
    }
    for (Class<?> i : PipelineOptionsFactory.getRegisteredOptions()) {
      if (!without.contains(i)) {
        taken.addAll(properties(i));
      }
    }
    for (String arg : args) {
      if (arg.startsWith("--")) {
        String name = arg.substring(2, arg.indexOf('=') < 0 ? arg.length() : arg.indexOf('='));
        boolean foreign = without.stream().anyMatch(i -> properties(i).contains(name));
        require(!foreign || taken.contains(name), "%s", unknown(name, ""));
      }
    }
    with.forEach(PipelineOptionsFactory::register);
    try {
      return PipelineOptionsFactory.fromArgs(args).withValidation().as(type);
    } catch (IllegalArgumentException e) {
      throw explain(e, args, known);
    }
  }

  /** The message of an option {@code --name} no interface of the run declares. */
  private static String unknown(String name, String hint) {
    return "--" + name + " is no option of this run (--help lists them)." + hint;
  }

  /** The names of the options (bean properties) of {@code type}, inherited ones included. */
  static Set<String> properties(Class<?> type) {
    Set<String> names = new TreeSet<>();
    for (Method m : type.getMethods()) {
      String n = m.getName();
      int prefix = n.startsWith("get") ? 3 : n.startsWith("is") ? 2 : 0;
      if (m.getParameterCount() == 0 && prefix > 0 && n.length() > prefix) {
        names.add(Character.toLowerCase(n.charAt(prefix)) + n.substring(prefix + 1));
      }
    }
    return names;
  }

  /** Beam's error about {@code args} as one line naming the option at fault, where one is. */
  static IllegalArgumentException explain(
      IllegalArgumentException e, String[] args, List<Class<?>> types) {
    for (String arg : args) {
      if (!arg.startsWith("--")) {
        continue;
      }
      int eq = arg.indexOf('=');
      String name = arg.substring(2, eq < 0 ? arg.length() : eq);
      Class<?> t = null;
      for (Class<?> type : types) {
        t = t != null ? t : optionType(type, name);
      }
      if (t == null || t == boolean.class || t == Boolean.class) {
        continue;
      }
      if (eq < 0) {
        return new IllegalArgumentException(
            String.format("--%s needs a value: --%s=<%s>", name, name, kind(t)), e);
      }
      String value = arg.substring(eq + 1);
      List<String> values =
          Arrays.stream(args).filter(a -> a.startsWith("--" + name + "=")).toList();
      if (values.size() > 1 && !t.isArray() && !Collection.class.isAssignableFrom(t)) {
        return new IllegalArgumentException(
            String.format(
                "--%s is given more than once: %s",
                name,
                values.stream()
                    .map(a -> a.substring(a.indexOf('=') + 1))
                    .collect(Collectors.joining(", "))),
            e);
      }
      if (!converts(t, value)) {
        return new IllegalArgumentException(
            String.format("--%s must be %s, was '%s'", name, kind(t), value), e);
      }
    }
    String message = String.valueOf(e.getMessage());
    String first = message.lines().findFirst().orElse(message);
    Matcher missing = MISSING.matcher(first);
    if (missing.find()) { // Beam's "Class interface ... missing a property named 'x'."
      return new IllegalArgumentException(unknown(missing.group(1), missing.group(2)), e);
    }
    return new IllegalArgumentException(first, e);
  }

  /** Beam's message on an option no interface declares, and the rest of its line. */
  private static final Pattern MISSING =
      Pattern.compile("missing a property named '([^']*)'\\.?(.*)$");

  /** The type of option {@code name} of {@code type}, or null when it has none. */
  private static Class<?> optionType(Class<?> type, String name) {
    if (name.isEmpty()) {
      return null;
    }
    String property = Character.toUpperCase(name.charAt(0)) + name.substring(1);
    for (Method m : type.getMethods()) {
      if (m.getParameterCount() == 0
          && (m.getName().equals("get" + property) || m.getName().equals("is" + property))) {
        return m.getReturnType();
      }
    }
    return null;
  }

  private static String kind(Class<?> t) {
    if (t.isEnum()) {
      return "one of "
          + Arrays.stream(t.getEnumConstants())
              .map(String::valueOf)
              .collect(Collectors.joining(", "));
    }
    if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
      return "a whole number";
    }
    if (t == double.class || t == Double.class || t == float.class || t == Float.class) {
      return "a number";
    }
    return "a " + t.getSimpleName();
  }

  private static boolean converts(Class<?> t, String value) {
    try {
      if (t == int.class || t == Integer.class) {
        Integer.parseInt(value.trim());
      } else if (t == long.class || t == Long.class) {
        Long.parseLong(value.trim());
      } else if (t == double.class || t == Double.class || t == float.class || t == Float.class) {
        Double.parseDouble(value.trim());
      } else if (t.isEnum()) {
        return Arrays.stream(t.getEnumConstants()).anyMatch(c -> c.toString().equals(value));
      }
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Throws {@link IllegalArgumentException} with the formatted message unless {@code ok}. */
  public static void require(boolean ok, String message, Object... args) {
    if (!ok) {
      throw new IllegalArgumentException(String.format(message, args));
    }
  }
}
