package dev.proxima.tensor.spi;

/** Elementwise functions of two arguments of one dtype; comparisons write BOOL outputs. */
public enum BinaryOp {
    /** a + b. */ ADD,
    /** a − b. */ SUB,
    /** a · b. */ MUL,
    /** a / b (floating types only). */ DIV,
    /** aᵇ. */ POW,
    /** min(a, b), NaN if either is NaN. */ MIN,
    /** max(a, b), NaN if either is NaN. */ MAX,
    /** a == b. */ EQ,
    /** a != b. */ NE,
    /** a &lt; b. */ LT,
    /** a &lt;= b. */ LE,
    /** a &gt; b. */ GT,
    /** a &gt;= b. */ GE,
    /** a ∧ b (as truth values). */ AND,
    /** a ∨ b (as truth values). */ OR,
    /** a ⊕ b (as truth values). */ XOR;

    /** True if the output is BOOL whatever the input dtype. */
    public boolean isComparison() {
        return ordinal() >= EQ.ordinal();
    }
}
