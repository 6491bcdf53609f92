package io.tidemark.schemas;

/** A record that cannot be decoded, with a short machine-readable reason. */
public final class DecodeException extends Exception {
  private final String reason;

  public DecodeException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public DecodeException(String reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /** For example {@code not-json}, {@code missing-field}, {@code unknown-fingerprint}. */
  public String reason() {
    return reason;
  }
}
