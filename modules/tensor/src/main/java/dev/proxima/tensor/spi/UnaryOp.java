package dev.proxima.tensor.spi;

/** Elementwise functions of one argument; the input and output dtypes are chosen by the front end. */
public enum UnaryOp {
    /** −x. */ NEG,
    /** |x|. */ ABS,
    /** −1, 0 or +1 (NaN stays NaN). */ SIGN,
    /** eˣ. */ EXP,
    /** ln x. */ LOG,
    /** √x. */ SQRT,
    /** tanh x. */ TANH,
    /** sin x. */ SIN,
    /** cos x. */ COS,
    /** 1 / (1 + e⁻ˣ). */ SIGMOID,
    /** x². */ SQUARE,
    /** 1 / x. */ RECIPROCAL,
    /** Logical not: output BOOL. */ NOT,
    /** The error function erf x. */ ERF
}
