package dev.proxima.optim.internal;

import dev.proxima.nn.Parameter;
import dev.proxima.optim.LBFGS;
import dev.proxima.optim.Optimizer;
import dev.proxima.optim.ParamGroup;
import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.Into;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Supplier;

/**
 * L-BFGS on the flattened parameters, following PyTorch's {@code LBFGS.step} and {@code _strong_wolfe} step for
 * step. The state lives in fixed buffers: the direction {@code d}, the previous gradient, a ring of
 * {@code historySize} pairs (rows of {@code dirs} = y, {@code steps} = s, with {@code ro} = 1/yᵀs), and scalars
 * (t, H_diag, previous loss, iteration and evaluation counts, the ring's start and length).
 */
public final class LbfgsOptimizer extends Optimizer {

    private static final String[] SCALARS = {"t", "hDiag", "prevLoss", "nIter", "funcEvals", "historyStart", "historyCount"};

    private final LBFGS.Settings s;
    private final List<Parameter> params;
    private final long n;
    private final DType dtype;
    private final Device device;
    private final LinkedHashMap<String, Tensor> state = new LinkedHashMap<>();

    /**
     * Creates the optimizer and its zero state.
     *
     * @param group    the parameters
     * @param settings the hyper-parameters
     * @param policy   the non-finite policy
     */
    public LbfgsOptimizer(ParamGroup group, LBFGS.Settings settings, NonFinitePolicy policy) {
        super(List.of(group), policy);
        this.s = settings;
        this.params = group.params();
        Tensor first = params.getFirst().value();
        this.dtype = first.dtype();
        this.device = first.device();
        long total = 0;
        for (Parameter p : params) {
            Tensor v = p.value();
            if (v.dtype() != dtype || !v.device().equals(device)) {
                close();
                throw new IllegalArgumentException("L-BFGS needs all parameters of one dtype and device: " + first.dtype() + " on "
                        + device + " and " + v.dtype() + " on " + v.device());
            }
            total += v.size();
        }
        this.n = total;
        try (Scope scope = Scope.open()) {
            state.put("d", Scope.release(Tensor.zeros(dtype, device, n)));
            state.put("prevFlatGrad", Scope.release(Tensor.zeros(dtype, device, n)));
            state.put("dirs", Scope.release(Tensor.zeros(dtype, device, settings.historySize(), n)));
            state.put("steps", Scope.release(Tensor.zeros(dtype, device, settings.historySize(), n)));
            state.put("ro", Scope.release(Tensor.zeros(DType.F64, settings.historySize())));
            for (String k : SCALARS) {
                state.put(k, Scope.release(k.startsWith("n") || k.startsWith("func") || k.startsWith("history")
                        ? Tensor.full(0L, DType.I64) : Tensor.full(0.0, DType.F64)));
            }
        }
    }

    private double scalar(String k) {
        return state.get(k).getDouble();
    }

    private long count(String k) {
        return state.get(k).getLong();
    }

    private void put(String k, double v) {
        Into.fill(state.get(k), v);
    }

    private void put(String k, long v) {
        Into.fill(state.get(k), v);
    }

    private static double dot(Tensor a, Tensor b) {
        try (Scope sc = Scope.open()) {
            return a.mul(b).sum().item();
        }
    }

    private static double maxAbs(Tensor a) {
        try (Scope sc = Scope.open()) {
            return a.abs().max().item();
        }
    }

    /** The gradients flattened into one vector (zeros for a parameter without one), in the current scope. */
    private Tensor flatGrad() {
        Tensor[] parts = new Tensor[params.size()];
        for (int i = 0; i < parts.length; i++) {
            Tensor v = params.get(i).value();
            Tensor g = params.get(i).grad();
            parts[i] = (g != null ? g : Tensor.zerosLike(v)).reshape(-1);
        }
        return parts.length == 1 ? parts[0].copy() : Tensor.concat(0, parts);
    }

    /** p := p + t·d (slice of d per parameter). */
    private void addGrad(double t, Tensor d) {
        try (Scope sc = Scope.open()) {
            long off = 0;
            for (Parameter p : params) {
                Tensor v = p.value();
                Tensor part = d.slice(0, off, off + v.size(), 1).reshape(v.shape());
                Into.add(v, part.mul(t), v);
                off += v.size();
            }
        }
    }

    private void setParams(List<Tensor> x) {
        for (int i = 0; i < params.size(); i++) {
            Into.copy(x.get(i), params.get(i).value());
        }
    }

    private record Eval(double loss, Tensor grad) {
    }

    private Eval directionalEvaluate(Supplier<Tensor> closure, List<Tensor> x, double t, Tensor d) {
        addGrad(t, d);
        double loss = evaluate(closure).item();
        Tensor g;
        try (Autodiff.GradMode off = Autodiff.noGrad()) {
            g = flatGrad();
            setParams(x);
        }
        return new Eval(loss, g);
    }

    @Override
    protected Tensor update(Supplier<Tensor> closure) {
        if (closure == null) {
            throw new IllegalArgumentException("L-BFGS evaluates the loss several times per step: call step(closure)");
        }
        Tensor origLoss = evaluate(closure);
        if (!gradientsAccepted()) {
            return origLoss;
        }
        try (Scope stepScope = Scope.open(); Autodiff.GradMode off = Autodiff.noGrad()) {
            put("funcEvals", count("funcEvals") + 1);
            Tensor flatGrad = flatGrad();   // lives until the step's scope closes; iterations overwrite it
            if (maxAbs(flatGrad) > s.toleranceGrad()) {
                run(closure, origLoss.item(), flatGrad, 1);
            }
        }
        countStep();
        return origLoss;
    }

    private void run(Supplier<Tensor> closure, double loss, Tensor flatGradIn, int currentEvals) {
        Tensor d = state.get("d");
        Tensor prevFlatGrad = state.get("prevFlatGrad");
        Tensor dirs = state.get("dirs");
        Tensor steps = state.get("steps");
        Tensor ro = state.get("ro");
        int m = s.historySize();
        double t = scalar("t");
        double hDiag = scalar("hDiag");
        Tensor flatGrad = flatGradIn;
        int nIter = 0;
        while (nIter < s.maxIter()) {
            nIter++;
            long globalIter = count("nIter") + 1;
            put("nIter", globalIter);
            try (Scope iter = Scope.open()) {
                if (globalIter == 1) {
                    Into.neg(flatGrad, d);
                    put("historyStart", 0L);
                    put("historyCount", 0L);
                    hDiag = 1;
                } else {
                    Tensor y = flatGrad.sub(prevFlatGrad);
                    Tensor sv = d.mul(t);
                    double ys = dot(y, sv);
                    int start = (int) count("historyStart");
                    int cnt = (int) count("historyCount");
                    if (ys > 1e-10) {
                        int row;
                        if (cnt == m) {          // drop the oldest pair
                            row = start;
                            start = (start + 1) % m;
                        } else {
                            row = (start + cnt) % m;
                            cnt++;
                        }
                        Into.copy(y, dirs.select(0, row));
                        Into.copy(sv, steps.select(0, row));
                        Into.fill(ro.select(0, row), 1.0 / ys);
                        hDiag = ys / dot(y, y);
                        put("historyStart", (long) start);
                        put("historyCount", (long) cnt);
                    }
                    double[] al = new double[cnt];
                    double[] ros = ro.toDoubleArray();
                    Tensor q = flatGrad.neg();
                    for (int i = cnt - 1; i >= 0; i--) {
                        int r = (start + i) % m;
                        al[i] = dot(steps.select(0, r), q) * ros[r];
                        Into.add(q, dirs.select(0, r).mul(-al[i]), q);
                    }
                    Tensor r = q.mul(hDiag);
                    for (int i = 0; i < cnt; i++) {
                        int row = (start + i) % m;
                        double be = dot(dirs.select(0, row), r) * ros[row];
                        Into.add(r, steps.select(0, row).mul(al[i] - be), r);
                    }
                    Into.copy(r, d);
                }
                Into.copy(flatGrad, prevFlatGrad);
                double prevLoss = loss;
                put("prevLoss", prevLoss);
                if (globalIter == 1) {
                    t = Math.min(1.0, 1.0 / sumAbs(flatGrad)) * s.lr();
                } else {
                    t = s.lr();
                }
                double gtd = dot(flatGrad, d);
                if (gtd > -s.toleranceChange()) {
                    break;
                }
                int lsEvals = 0;
                boolean optCond = false;
                Tensor newGrad = null;
                if (s.lineSearch() == LBFGS.LineSearch.STRONG_WOLFE) {
                    List<Tensor> x = new ArrayList<>();
                    for (Parameter p : params) {
                        x.add(p.value().copy());
                    }
                    Wolfe w = strongWolfe(closure, x, t, d, loss, flatGrad, gtd);
                    loss = w.loss;
                    newGrad = w.grad;
                    t = w.t;
                    lsEvals = w.evals;
                    addGrad(t, d);
                    optCond = maxAbs(newGrad) <= s.toleranceGrad();
                } else {
                    addGrad(t, d);
                    if (nIter != s.maxIter()) {
                        loss = evaluate(closure).item();
                        newGrad = flatGrad();
                        optCond = maxAbs(newGrad) <= s.toleranceGrad();
                        lsEvals = 1;
                    }
                }
                if (newGrad != null) {
                    Into.copy(newGrad, flatGrad);
                }
                currentEvals += lsEvals;
                put("funcEvals", count("funcEvals") + lsEvals);
                if (nIter == s.maxIter() || currentEvals >= s.maxEval() || optCond) {
                    break;
                }
                if (maxAbs(d) * Math.abs(t) <= s.toleranceChange()) {
                    break;
                }
                if (Math.abs(loss - prevLoss) < s.toleranceChange()) {
                    break;
                }
            }
        }
        put("t", t);
        put("hDiag", hDiag);
    }

    private static double sumAbs(Tensor a) {
        try (Scope sc = Scope.open()) {
            return a.abs().sum().item();
        }
    }

    private record Wolfe(double loss, Tensor grad, double t, int evals) {
    }

    /** PyTorch's cubic interpolation of two points with values and derivatives, clamped to the bounds. */
    static double cubicInterpolate(double x1, double f1, double g1, double x2, double f2, double g2, double lo, double hi) {
        double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
        double d2Square = d1 * d1 - g1 * g2;
        if (d2Square >= 0) {
            double d2 = Math.sqrt(d2Square);
            double minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                    : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
            return Math.min(Math.max(minPos, lo), hi);
        }
        return (lo + hi) / 2;
    }

    static double cubicInterpolate(double x1, double f1, double g1, double x2, double f2, double g2) {
        return cubicInterpolate(x1, f1, g1, x2, f2, g2, Math.min(x1, x2), Math.max(x1, x2));
    }

    private Wolfe strongWolfe(Supplier<Tensor> closure, List<Tensor> x, double t, Tensor d, double f, Tensor g, double gtd) {
        final double c1 = 1e-4;
        final double c2 = 0.9;
        final int maxLs = 25;
        double dNorm = maxAbs(d);
        g = g.copy();
        Eval e = directionalEvaluate(closure, x, t, d);
        double fNew = e.loss;
        Tensor gNew = e.grad;
        int evals = 1;
        double gtdNew = dot(gNew, d);
        double tPrev = 0;
        double fPrev = f;
        Tensor gPrev = g;
        double gtdPrev = gtd;
        boolean done = false;
        int lsIter = 0;
        double[] bracket = null;
        double[] bracketF = null;
        Tensor[] bracketG = null;
        double[] bracketGtd = null;
        while (lsIter < maxLs) {
            if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
                bracket = new double[]{tPrev, t};
                bracketF = new double[]{fPrev, fNew};
                bracketG = new Tensor[]{gPrev, gNew.copy()};
                bracketGtd = new double[]{gtdPrev, gtdNew};
                break;
            }
            if (Math.abs(gtdNew) <= -c2 * gtd) {
                bracket = new double[]{t};
                bracketF = new double[]{fNew};
                bracketG = new Tensor[]{gNew};
                done = true;
                break;
            }
            if (gtdNew >= 0) {
                bracket = new double[]{tPrev, t};
                bracketF = new double[]{fPrev, fNew};
                bracketG = new Tensor[]{gPrev, gNew.copy()};
                bracketGtd = new double[]{gtdPrev, gtdNew};
                break;
            }
            double minStep = t + 0.01 * (t - tPrev);
            double maxStep = t * 10;
            double tmp = t;
            t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, minStep, maxStep);
            tPrev = tmp;
            fPrev = fNew;
            gPrev = gNew.copy();
            gtdPrev = gtdNew;
            e = directionalEvaluate(closure, x, t, d);
            fNew = e.loss;
            gNew = e.grad;
            evals++;
            gtdNew = dot(gNew, d);
            lsIter++;
        }
        if (lsIter == maxLs) {
            bracket = new double[]{0, t};
            bracketF = new double[]{f, fNew};
            bracketG = new Tensor[]{g, gNew};
            bracketGtd = new double[]{gtd, gtdNew};
        }
        boolean insufProgress = false;
        int lowPos = 0;
        int highPos = 0;
        if (bracket.length == 2) {
            lowPos = bracketF[0] <= bracketF[1] ? 0 : 1;
            highPos = 1 - lowPos;
        }
        while (!done && lsIter < maxLs) {
            if (Math.abs(bracket[1] - bracket[0]) * dNorm < s.toleranceChange()) {
                break;
            }
            t = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);
            double hi = Math.max(bracket[0], bracket[1]);
            double lo = Math.min(bracket[0], bracket[1]);
            double eps = 0.1 * (hi - lo);
            if (Math.min(hi - t, t - lo) < eps) {
                if (insufProgress || t >= hi || t <= lo) {
                    t = Math.abs(t - hi) < Math.abs(t - lo) ? hi - eps : lo + eps;
                    insufProgress = false;
                } else {
                    insufProgress = true;
                }
            } else {
                insufProgress = false;
            }
            e = directionalEvaluate(closure, x, t, d);
            fNew = e.loss;
            gNew = e.grad;
            evals++;
            gtdNew = dot(gNew, d);
            lsIter++;
            if (fNew > f + c1 * t * gtd || fNew >= bracketF[lowPos]) {
                bracket[highPos] = t;
                bracketF[highPos] = fNew;
                bracketG[highPos] = gNew.copy();
                bracketGtd[highPos] = gtdNew;
                lowPos = bracketF[0] <= bracketF[1] ? 0 : 1;
                highPos = 1 - lowPos;
            } else {
                if (Math.abs(gtdNew) <= -c2 * gtd) {
                    done = true;
                } else if (gtdNew * (bracket[highPos] - bracket[lowPos]) >= 0) {
                    bracket[highPos] = bracket[lowPos];
                    bracketF[highPos] = bracketF[lowPos];
                    bracketG[highPos] = bracketG[lowPos];
                    bracketGtd[highPos] = bracketGtd[lowPos];
                }
                bracket[lowPos] = t;
                bracketF[lowPos] = fNew;
                bracketG[lowPos] = gNew.copy();
                bracketGtd[lowPos] = gtdNew;
            }
        }
        return new Wolfe(bracketF[lowPos], bracketG[lowPos], bracket[lowPos], evals);
    }

    @Override
    protected TensorTree groupStates() {
        LinkedHashMap<String, TensorTree> m = new LinkedHashMap<>();
        state.forEach((k, v) -> m.put(k, TensorTree.leaf(v)));
        return TensorTree.sequence(TensorTree.dict(m));
    }

    @Override
    protected void closeState() {
        state.values().forEach(Tensor::close);
    }
}
