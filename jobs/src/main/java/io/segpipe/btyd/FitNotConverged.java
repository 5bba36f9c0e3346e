package io.segpipe.btyd;

/**
 * A maximum-likelihood fit that did not reach a maximum: the optimiser ran out of iterations or
 * evaluations, or the log-likelihood's Hessian at the point it stopped is not negative definite.
 * The message gives the last parameter values, the iterations and the log-likelihood.
 */
public class FitNotConverged extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public FitNotConverged(String message, Throwable cause) {
    super(message, cause);
  }
}
