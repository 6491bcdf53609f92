package io.tidemark.pipelines.fraud;

import io.tidemark.pipelines.Activity;
import io.tidemark.schemas.Transaction;
import io.tidemark.schemas.UserProfile;
import io.tidemark.transforms.IntervalMatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.beam.sdk.coders.ByteCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.StructuredCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;

/**
 * A profile update or the join match of a large transaction: the two inputs of {@link
 * ProfileAsOfFn}, which share one keyed state.
 */
final class ProfileOrMatch {
  /** A large transaction and the user's activity within the join interval around it. */
  static final Coder<IntervalMatch<String, Transaction, Activity>> MATCH_CODER =
      IntervalMatch.coder(StringUtf8Coder.of(), AvroCoder.of(Transaction.class), Activity.CODER);

  @Nullable private final UserProfile profile;
  @Nullable private final IntervalMatch<String, Transaction, Activity> match;

  private ProfileOrMatch(
      @Nullable UserProfile profile, @Nullable IntervalMatch<String, Transaction, Activity> match) {
    this.profile = profile;
    this.match = match;
  }

  static ProfileOrMatch profile(UserProfile profile) {
    return new ProfileOrMatch(Objects.requireNonNull(profile, "profile"), null);
  }

  static ProfileOrMatch match(IntervalMatch<String, Transaction, Activity> match) {
    return new ProfileOrMatch(null, Objects.requireNonNull(match, "match"));
  }

  boolean isProfile() {
    return profile != null;
  }

  UserProfile profile() {
    return profile;
  }

  IntervalMatch<String, Transaction, Activity> match() {
    return match;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ProfileOrMatch p
        && Objects.equals(profile, p.profile)
        && Objects.equals(match, p.match);
  }

  @Override
  public int hashCode() {
    return Objects.hash(profile, match);
  }

  @Override
  public String toString() {
    return isProfile() ? "Profile(" + profile + ")" : "Match(" + match + ")";
  }

  /** A tag byte, then the profile or the match. */
  static final class ProfileOrMatchCoder extends StructuredCoder<ProfileOrMatch> {
    static final ProfileOrMatchCoder INSTANCE = new ProfileOrMatchCoder();
    private static final byte PROFILE = 0;
    private static final byte MATCH = 1;
    private static final Coder<UserProfile> PROFILE_CODER = AvroCoder.of(UserProfile.class);

    @Override
    public void encode(ProfileOrMatch value, OutputStream out) throws IOException {
      if (value.isProfile()) {
        ByteCoder.of().encode(PROFILE, out);
        PROFILE_CODER.encode(value.profile, out);
      } else {
        ByteCoder.of().encode(MATCH, out);
        MATCH_CODER.encode(value.match, out);
      }
    }

    @Override
    public ProfileOrMatch decode(InputStream in) throws IOException {
      byte tag = ByteCoder.of().decode(in);
      switch (tag) {
        case PROFILE:
          return profile(PROFILE_CODER.decode(in));
        case MATCH:
          return match(MATCH_CODER.decode(in));
        default:
          throw new CoderException("unknown profile-or-match tag " + tag);
      }
    }

    @Override
    public List<? extends Coder<?>> getCoderArguments() {
      return List.of();
    }

    @Override
    public void verifyDeterministic() throws NonDeterministicException {
      verifyDeterministic(this, "profile and match coders", PROFILE_CODER, MATCH_CODER);
    }
  }
}
