package dev.proxima.tensor.spi;

/** Reductions over a set of axes. */
public enum ReduceOp {
    /** Σ x. */ SUM,
    /** Π x. */ PROD,
    /** max x (NaN if any is NaN); empty input is an error. */ MAX,
    /** min x (NaN if any is NaN); empty input is an error. */ MIN,
    /** Σ |x|. */ SUM_ABS,
    /** Σ x². */ SUM_SQUARES,
    /** max |x|; empty input gives 0. */ MAX_ABS,
    /** min |x|; empty input is an error. */ MIN_ABS,
    /** number of non-zero elements. */ COUNT_NONZERO,
    /** index of the first maximum along one axis (output I64). */ ARGMAX,
    /** index of the first minimum along one axis (output I64). */ ARGMIN
}
