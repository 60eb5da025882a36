package dev.proxima.tensor;

import java.util.Arrays;

/** FAMILYDOC */
final class Einsum {

    private Einsum() {
    }

    static Tensor einsum(String spec, Tensor... operands) {
        if (operands.length == 0) {
            throw new IllegalArgumentException("einsum needs at least one operand");
        }
        for (Tensor t : operands) {
            t.live();
        }
        String s = spec.replaceAll("\\s+", "");
        if (s.contains(".")) {
            throw new IllegalArgumentException("einsum: ellipsis ('...') broadcasting is not supported: \"" + spec + "\"");
        }
        int arrow = s.indexOf("->");
        String[] terms = (arrow < 0 ? s : s.substring(0, arrow)).split(",", -1);
        if (terms.length != operands.length) {
            throw new IllegalArgumentException("einsum: \"" + spec + "\" has " + terms.length + " operand terms but "
                    + operands.length + " tensors were given");
        }
        long[] extent = new long[128];
        int[] definedBy = new int[128];
        int[] count = new int[128];
        Arrays.fill(definedBy, -1);
        DType type = operands[0].dtype;
        for (int i = 0; i < terms.length; i++) {
            Tensor t = operands[i];
            String term = terms[i];
            if (term.length() != t.shape.length) {
                throw new ShapeMismatchException("einsum: term \"" + term + "\" of operand " + i + " labels " + term.length()
                        + " dimensions, but the operand has shape " + Shapes.str(t.shape));
            }
            for (int d = 0; d < term.length(); d++) {
                char c = einsumLabel(spec, term.charAt(d));
                count[c]++;
                if (definedBy[c] < 0) {
                    definedBy[c] = i;
                    extent[c] = t.shape[d];
                } else if (extent[c] != t.shape[d]) {
                    throw new ShapeMismatchException("einsum: label '" + c + "' has extent " + extent[c] + " in operand " + definedBy[c]
                            + " (shape " + Shapes.str(operands[definedBy[c]].shape) + ") but " + t.shape[d] + " in operand " + i
                            + " (shape " + Shapes.str(t.shape) + ")");
                }
            }
            if (!t.device().equals(operands[0].device())) {
                throw new IllegalArgumentException("einsum: operands are on different devices: " + operands[0].device() + " and " + t.device());
            }
            type = DType.promote(type, t.dtype);
        }
        if (type == DType.BOOL) {
            throw new DTypeMismatchException("einsum is not defined for BOOL operands; cast to a number type first");
        }
        StringBuilder outLabels = new StringBuilder();
        if (arrow < 0) {
            for (char c = 0; c < 128; c++) {
                if (count[c] == 1) {
                    outLabels.append(c);
                }
            }
        } else {
            for (char c0 : s.substring(arrow + 2).toCharArray()) {
                char c = einsumLabel(spec, c0);
                if (count[c] == 0) {
                    throw new IllegalArgumentException("einsum: output label '" + c + "' appears in no operand: \"" + spec + "\"");
                }
                if (outLabels.indexOf(String.valueOf(c)) >= 0) {
                    throw new IllegalArgumentException("einsum: output label '" + c + "' is repeated: \"" + spec + "\"");
                }
                outLabels.append(c);
            }
        }
        String out = outLabels.toString();
        try (Scope scope = Scope.open()) {
            Tensor[] ts = new Tensor[operands.length];
            String[] labels = new String[operands.length];
            for (int i = 0; i < operands.length; i++) {
                Tensor t = operands[i].dtype == type ? operands[i] : operands[i].cast(type);
                String l = terms[i];
                // (1a) a label repeated within one operand selects its diagonal
                for (int p = 0; p < l.length(); p++) {
                    int q = l.indexOf(l.charAt(p), p + 1);
                    if (q >= 0) {
                        t = t.diagonal(0, p, q);
                        l = l.substring(0, p) + l.substring(p + 1, q) + l.substring(q + 1) + l.charAt(p);
                        p = -1;
                    }
                }
                ts[i] = t;
                labels[i] = l;
            }
            for (int i = 0; i < operands.length; i++) {
                // (1b) sum over labels that neither the output nor any other operand has
                StringBuilder needed = new StringBuilder(out);
                for (int j = 0; j < operands.length; j++) {
                    if (j != i) {
                        needed.append(labels[j]);
                    }
                }
                ts[i] = sumPrivateLabels(ts[i], labels[i], needed.toString());
                labels[i] = keptLabels(labels[i], needed.toString());
            }
            // (2) contract pairwise, left to right
            Tensor acc = ts[0];
            String accLabels = labels[0];
            for (int i = 1; i < operands.length; i++) {
                StringBuilder later = new StringBuilder(out);
                for (int j = i + 1; j < operands.length; j++) {
                    later.append(labels[j]);
                }
                String keep = later.toString();
                Tensor a = sumPrivateLabels(acc, accLabels, labels[i] + keep);
                String al = keptLabels(accLabels, labels[i] + keep);
                Tensor b = sumPrivateLabels(ts[i], labels[i], al + keep);
                String bl = keptLabels(labels[i], al + keep);
                StringBuilder batch = new StringBuilder();
                StringBuilder summed = new StringBuilder();
                StringBuilder leftFree = new StringBuilder();
                StringBuilder rightFree = new StringBuilder();
                for (char c : al.toCharArray()) {
                    if (bl.indexOf(c) < 0) {
                        leftFree.append(c);
                    } else if (keep.indexOf(c) >= 0) {
                        batch.append(c);
                    } else {
                        summed.append(c);
                    }
                }
                for (char c : bl.toCharArray()) {
                    if (al.indexOf(c) < 0) {
                        rightFree.append(c);
                    }
                }
                String bt = batch.toString();
                String sm = summed.toString();
                String lf = leftFree.toString();
                String rf = rightFree.toString();
                if (type.isFloating()) {
                    Tensor x = a.permute(positions(al, bt + lf + sm))
                            .reshape(labelSize(extent, bt), labelSize(extent, lf), labelSize(extent, sm));
                    Tensor y = b.permute(positions(bl, bt + sm + rf))
                            .reshape(labelSize(extent, bt), labelSize(extent, sm), labelSize(extent, rf));
                    acc = x.matmul(y).reshape(labelExtents(extent, bt + lf + rf));
                } else {
                    String all = bt + lf + rf + sm;
                    Tensor x = alignLabels(a, al, all, extent);
                    Tensor y = alignLabels(b, bl, all, extent);
                    Tensor product = x.mul(y);
                    if (!sm.isEmpty()) {
                        int[] axes = new int[sm.length()];
                        for (int k = 0; k < axes.length; k++) {
                            axes[k] = all.length() - sm.length() + k;
                        }
                        product = sumKeepingType(product, axes);
                    }
                    acc = product;
                }
                accLabels = bt + lf + rf;
            }
            // (3) the output order, as a fresh contiguous tensor of the result type
            Tensor result = acc.permute(positions(accLabels, out)).cast(type);
            return scope.keep(result);
        }
    }

    static char einsumLabel(String spec, char c) {
        if ((c < 'a' || c > 'z') && (c < 'A' || c > 'Z')) {
            throw new IllegalArgumentException("einsum: '" + c + "' is not a valid label (ASCII letters only) in \"" + spec + "\"");
        }
        return c;
    }

    static Tensor sumPrivateLabels(Tensor t, String labels, String needed) {
        int n = 0;
        int[] axes = new int[labels.length()];
        for (int d = 0; d < labels.length(); d++) {
            if (needed.indexOf(labels.charAt(d)) < 0) {
                axes[n++] = d;
            }
        }
        if (n == 0) {
            return t;
        }
        return sumKeepingType(t, Arrays.copyOf(axes, n));
    }

    static Tensor sumKeepingType(Tensor t, int[] axes) {
        if (t.size() == 0) {
            long[] kept = new long[t.shape.length - axes.length];
            for (int d = 0, k = 0, j = 0; d < t.shape.length; d++) {
                if (j < axes.length && axes[j] == d) {
                    j++;
                } else {
                    kept[k++] = t.shape[d];
                }
            }
            return Tensor.zeros(t.dtype, t.device(), kept);
        }
        Tensor summed = t.sum(axes, false);
        return summed.dtype == t.dtype ? summed : summed.cast(t.dtype);
    }

    static String keptLabels(String labels, String needed) {
        StringBuilder kept = new StringBuilder();
        for (char c : labels.toCharArray()) {
            if (needed.indexOf(c) >= 0) {
                kept.append(c);
            }
        }
        return kept.toString();
    }

    static int[] positions(String labels, String order) {
        int[] p = new int[order.length()];
        for (int i = 0; i < p.length; i++) {
            p[i] = labels.indexOf(order.charAt(i));
        }
        return p;
    }

    static long labelSize(long[] extent, String labels) {
        long n = 1;
        for (char c : labels.toCharArray()) {
            n = Shapes.extentProduct("einsum", n, extent[c]);
        }
        return n;
    }

    static long[] labelExtents(long[] extent, String labels) {
        long[] e = new long[labels.length()];
        for (int i = 0; i < e.length; i++) {
            e[i] = extent[labels.charAt(i)];
        }
        return e;
    }

    static Tensor alignLabels(Tensor t, String labels, String all, long[] extent) {
        StringBuilder present = new StringBuilder();
        long[] sh = new long[all.length()];
        for (int i = 0; i < sh.length; i++) {
            char c = all.charAt(i);
            if (labels.indexOf(c) >= 0) {
                present.append(c);
                sh[i] = extent[c];
            } else {
                sh[i] = 1;
            }
        }
        return t.permute(positions(labels, present.toString())).reshape(sh);
    }
}
