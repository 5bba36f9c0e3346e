package io.segpipe.common;

/**
 * A failure the user can fix: bad arguments, bad config, missing input, wrong schema, too many bad
 * rows. Its message says what was wrong, where, and how to fix it; jobs print it without a stack
 * trace and exit with {@link #EXIT_CODE}.
 */
public class UserError extends RuntimeException {
  public static final int EXIT_CODE = 2;

  public UserError(String message) {
    super(message);
  }

  public UserError(String message, Throwable cause) {
    super(message, cause);
  }
}
