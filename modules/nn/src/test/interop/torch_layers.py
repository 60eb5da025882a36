#!/usr/bin/env python3
"""Reference forward values for every nn layer and loss, for TorchReferenceTest.

Run from the repository root (PyTorch and NumPy needed; the tests themselves never run Python):

    python3 modules/nn/src/test/interop/torch_layers.py

It writes modules/nn/src/test/resources/dev/proxima/nn/torch_layers.txt: one tensor per line,

    <case>/<name> <dtype> <d0,d1,...|scalar> <value> <value> ...

dtype f64 or i64, values in row-major order, 17 significant digits. For each case the file holds the
inputs, every parameter and buffer under its Proxima state-dict name (prefix "state."), and the outputs
PyTorch computed in float64. Layers with no PyTorch counterpart (ICNN, LinearAttention) are computed with
NumPy from the formulas documented on the Proxima classes. Everything is deterministic (fixed seeds).
"""

import math
import os

import numpy as np
import torch
import torch.nn as tnn
import torch.nn.functional as F

torch.manual_seed(17)
torch.set_default_dtype(torch.float64)
RNG = np.random.default_rng(17)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "dev", "proxima", "nn",
                   "torch_layers.txt")
lines = []


def put(name, t):
    a = t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    if a.dtype.kind in "iu":
        dtype, vals = "i64", " ".join(str(int(v)) for v in a.reshape(-1))
    else:
        dtype, vals = "f64", " ".join("%.17g" % float(v) for v in a.reshape(-1))
    shape = ",".join(str(d) for d in a.shape) if a.ndim else "scalar"
    lines.append("%s %s %s %s" % (name, dtype, shape, vals))


def randn(*shape, scale=1.0):
    return torch.from_numpy(RNG.normal(0.0, scale, size=shape))


def randomize(module, scale=0.5):
    """Replaces every parameter (the defaults are 1s and 0s for the norms) by random values."""
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(randn(*p.shape, scale=scale))


def state(case, module, rename=lambda k: k):
    for k, v in module.state_dict().items():
        if k.endswith("num_batches_tracked"):
            continue
        put("%s/state.%s" % (case, rename(k)), v)


# ---------------------------------------------------------------- Linear, convolutions

lin = tnn.Linear(5, 3)
randomize(lin)
x = randn(2, 4, 5)
state("linear", lin)
put("linear/input", x)
put("linear/output", lin(x))

conv = tnn.Conv2d(4, 6, kernel_size=(3, 2), stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2, bias=True)
randomize(conv)
x = randn(2, 4, 7, 6)
state("conv2d", conv)
put("conv2d/input", x)
put("conv2d/output", conv(x))

convt = tnn.ConvTranspose2d(4, 6, kernel_size=(3, 2), stride=(2, 3), padding=(1, 0), output_padding=(1, 0),
                            groups=2, bias=True, dilation=(2, 1))
randomize(convt)
x = randn(2, 4, 3, 4)
state("convTranspose2d", convt)
put("convTranspose2d/input", x)
put("convTranspose2d/output", convt(x))

# ---------------------------------------------------------------- attention


def mha_state(case, m):
    e = m.embed_dim
    w, b = m.in_proj_weight, m.in_proj_bias
    for i, n in enumerate(["q_proj", "k_proj", "v_proj"]):
        put("%s/state.%s.weight" % (case, n), w[i * e:(i + 1) * e])
        put("%s/state.%s.bias" % (case, n), b[i * e:(i + 1) * e])
    put("%s/state.out_proj.weight" % case, m.out_proj.weight)
    put("%s/state.out_proj.bias" % case, m.out_proj.bias)


mha = tnn.MultiheadAttention(8, 2, bias=True, batch_first=True)
randomize(mha)
q, k, v = randn(2, 3, 8), randn(2, 4, 8), randn(2, 4, 8)
mha_state("mha", mha)
put("mha/query", q)
put("mha/key", k)
put("mha/value", v)
put("mha/output", mha(q, k, v, need_weights=False)[0])

mha4 = tnn.MultiheadAttention(12, 4, bias=True, batch_first=True)
randomize(mha4)
x = randn(3, 5, 12)
future = torch.ones(5, 5, dtype=torch.bool).triu(1)
mha_state("mhaCausal", mha4)
put("mhaCausal/input", x)
put("mhaCausal/output", mha4(x, x, x, attn_mask=future, need_weights=False)[0])

# ---------------------------------------------------------------- normalizations

ln = tnn.LayerNorm((3, 4), eps=1e-3)
randomize(ln)
x = randn(2, 5, 3, 4, scale=2.0) + 1.5
state("layerNorm", ln)
put("layerNorm/input", x)
put("layerNorm/output", ln(x))

gn = tnn.GroupNorm(2, 6, eps=1e-2)
randomize(gn)
x = randn(3, 6, 2, 2, scale=3.0) - 1.0
state("groupNorm", gn)
put("groupNorm/input", x)
put("groupNorm/output", gn(x))

bn = tnn.BatchNorm2d(4, eps=1e-3, momentum=0.3)
randomize(bn)
with torch.no_grad():
    bn.running_mean.copy_(randn(4))
    bn.running_var.copy_(torch.from_numpy(RNG.uniform(0.5, 2.0, size=4)))
state("batchNorm", bn)
x = randn(3, 4, 2, 3, scale=2.0) + 0.5
put("batchNorm/input", x)
bn.train()
put("batchNorm/trainOutput", bn(x))
put("batchNorm/runningMean", bn.running_mean)
put("batchNorm/runningVar", bn.running_var)
bn.eval()
x2 = randn(2, 4, 3, 1)
put("batchNorm/evalInput", x2)
put("batchNorm/evalOutput", bn(x2))

bn1 = tnn.BatchNorm1d(3, eps=1e-4, momentum=0.6, affine=False)
x = randn(5, 3, scale=1.5)
state("batchNorm1d", bn1)
put("batchNorm1d/input", x)
bn1.train()
put("batchNorm1d/trainOutput", bn1(x))
put("batchNorm1d/runningMean", bn1.running_mean)
put("batchNorm1d/runningVar", bn1.running_var)

# ---------------------------------------------------------------- embedding

emb = tnn.Embedding(7, 4)
idx = torch.tensor([[0, 6, 3], [3, 1, 5]], dtype=torch.int64)
state("embedding", emb)
put("embedding/indices", idx)
put("embedding/output", emb(idx))

# ---------------------------------------------------------------- activations

x = torch.cat([randn(40, scale=3.0), torch.tensor([0.0, -25.0, 25.0, 1e-3, -1e-3, 2.0, -2.0])])
put("activations/input", x)
put("activations/relu", F.relu(x))
put("activations/leakyRelu", F.leaky_relu(x, 0.01))
put("activations/leakyRelu0.2", F.leaky_relu(x, 0.2))
put("activations/gelu", F.gelu(x))
put("activations/geluTanh", F.gelu(x, approximate="tanh"))
put("activations/silu", F.silu(x))
put("activations/softplus", F.softplus(x, beta=1, threshold=1000))
put("activations/sigmoid", torch.sigmoid(x))
put("activations/tanh", torch.tanh(x))
put("activations/elu0.7", F.elu(x, alpha=0.7))

# ---------------------------------------------------------------- compositions

mlp = tnn.Sequential(tnn.Linear(4, 6), tnn.GELU(approximate="tanh"), tnn.Linear(6, 5), tnn.GELU(approximate="tanh"),
                     tnn.Linear(5, 2))
randomize(mlp)
x = randn(3, 4)
state("mlp", mlp)
put("mlp/input", x)
put("mlp/output", mlp(x))

seq = tnn.Sequential(tnn.Linear(5, 6), tnn.LeakyReLU(0.2), tnn.LayerNorm(6, eps=1e-4), tnn.SiLU())
randomize(seq)
x = randn(4, 5)
state("sequential", seq)
put("sequential/input", x)
put("sequential/output", seq(x))


class Residual(tnn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return x + self.fn(x)


res = Residual(tnn.Sequential(tnn.Linear(6, 6), tnn.Tanh(), tnn.Linear(6, 6), tnn.Softplus()))
randomize(res)
x = randn(2, 3, 6)
state("residual", res)
put("residual/input", x)
put("residual/output", res(x))

# ---------------------------------------------------------------- losses, every reduction

N, C = 4, 5
a, b = randn(N, C), randn(N, C)
labels = torch.tensor([1, 4, 0, 4], dtype=torch.int64)
probs = torch.softmax(randn(N, C), dim=1)
bits = torch.from_numpy(RNG.uniform(0, 1, size=(N, C)))
logq = torch.log_softmax(randn(N, C), dim=1)
pm = torch.tensor([1.0, -1.0, -1.0, 1.0])
put("losses/a", a)
put("losses/b", b)
put("losses/labels", labels)
put("losses/probs", probs)
put("losses/bits", bits)
put("losses/logq", logq)
put("losses/pm", pm)


def reductions(name, f):
    """f(reduction) with torch's 'none'; MEAN, SUM, BATCH_MEAN (sum / first dimension) and NONE."""
    none = f("none")
    put("losses/%s.NONE" % name, none)
    put("losses/%s.MEAN" % name, none.mean())
    put("losses/%s.SUM" % name, none.sum())
    put("losses/%s.BATCH_MEAN" % name, none.sum() / none.shape[0])
    assert torch.allclose(f("mean"), none.mean()) and torch.allclose(f("sum"), none.sum())


reductions("mse", lambda r: F.mse_loss(a, b, reduction=r))
reductions("l1", lambda r: F.l1_loss(a, b, reduction=r))
reductions("huber0.7", lambda r: F.huber_loss(a, b, reduction=r, delta=0.7))
reductions("huber1.8", lambda r: F.huber_loss(a, b, reduction=r, delta=1.8))
reductions("crossEntropy", lambda r: F.cross_entropy(a, labels, reduction=r))
reductions("crossEntropy0.15", lambda r: F.cross_entropy(a, labels, reduction=r, label_smoothing=0.15))
reductions("crossEntropySoft0.2", lambda r: F.cross_entropy(a, probs, reduction=r, label_smoothing=0.2))
reductions("bceWithLogits", lambda r: F.binary_cross_entropy_with_logits(a, bits, reduction=r))
reductions("klDiv", lambda r: F.kl_div(logq, probs, reduction=r, log_target=False))
reductions("klDivLog", lambda r: F.kl_div(logq, torch.log(probs), reduction=r, log_target=True))
assert torch.allclose(F.kl_div(logq, probs, reduction="batchmean"), (F.kl_div(logq, probs, reduction="none")).sum() / N)
reductions("cosineEmbedding-0.3", lambda r: F.cosine_embedding_loss(a, b, pm, margin=-0.3, reduction=r))
reductions("cosineEmbedding0.2", lambda r: F.cosine_embedding_loss(a, b, pm, margin=0.2, reduction=r))
put("losses/cosineSimilarity0", F.cosine_similarity(a, b, dim=0, eps=1e-8))

# ---------------------------------------------------------------- NumPy references by the documented formulas


def np_linear(x, w, b):
    return x @ w.T + b


def np_softplus(x):
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def icnn(case, d, hidden, act):
    """ICNN: z1 = σ(W0x x + b0), z_{k+1} = σ(softplus(R_k) z_k + W_kx x + b_k), f = last pre-activation."""
    sigma = np_softplus if act == "SOFTPLUS" else (lambda t: np.maximum(t, 0))
    x = RNG.normal(0, 1, size=(6, d))
    put(case + "/input", x)
    z = None
    widths = list(hidden) + [1]
    for k, width in enumerate(widths):
        w = RNG.normal(0, 0.5, size=(width, d))
        b = RNG.normal(0, 0.5, size=width)
        put("%s/state.x%d.weight" % (case, k), w)
        put("%s/state.x%d.bias" % (case, k), b)
        pre = np_linear(x, w, b)
        if k > 0:
            r = RNG.normal(0, 0.5, size=(width, widths[k - 1]))
            put("%s/state.wz%d" % (case, k), r)
            pre = pre + z @ np_softplus(r).T
        z = sigma(pre) if k + 1 < len(widths) else pre
    put(case + "/output", z)


icnn("icnnSoftplus", 3, (5, 4), "SOFTPLUS")
icnn("icnnRelu", 2, (4,), "RELU")


def elu1(t):
    return np.where(t > 0, t, np.expm1(np.minimum(t, 0))) + 1


def linear_attention(case, e, heads, causal, kernel, b=2, t=4):
    x = RNG.normal(0, 1, size=(b, t, e))
    put(case + "/input", x)
    proj = {}
    for n in ["q_proj", "k_proj", "v_proj", "out_proj"]:
        w, bias = RNG.normal(0, 0.4, size=(e, e)), RNG.normal(0, 0.4, size=e)
        put("%s/state.%s.weight" % (case, n), w)
        put("%s/state.%s.bias" % (case, n), bias)
        proj[n] = (w, bias)
    d = e // heads

    def split(y):  # [B, T, E] -> [B, H, T, D]
        return y.reshape(b, t, heads, d).transpose(0, 2, 1, 3)

    qh, kh, vh = (split(np_linear(x, *proj[n])) for n in ["q_proj", "k_proj", "v_proj"])
    if kernel == "ELU":
        fq, fk = elu1(qh), elu1(kh)
    else:
        qn = np.linalg.norm(qh, axis=3, keepdims=True)
        u = elu1(qh / np.maximum(qn, 1e-6))
        p = 1 + qn / math.sqrt(d)
        fq = u ** p  # the class's max-shift cancels in the ratio
        fk = elu1(kh / np.maximum(np.linalg.norm(kh, axis=3, keepdims=True), 1e-6))
    y = np.zeros_like(qh)
    for i in range(t):
        js = range(i + 1) if causal else range(t)
        kv = sum(np.einsum("bhd,bhe->bhde", fk[:, :, j], vh[:, :, j]) for j in js)   # [B, H, D, D]
        z = sum(fk[:, :, j] for j in js)                                           # [B, H, D]
        num = np.einsum("bhd,bhde->bhe", fq[:, :, i], kv)
        den = np.einsum("bhd,bhd->bh", fq[:, :, i], z)[..., None]
        y[:, :, i] = num / den
    merged = y.transpose(0, 2, 1, 3).reshape(b, t, e)
    put(case + "/output", np_linear(merged, *proj["out_proj"]))


linear_attention("linearAttentionElu", 8, 2, False, "ELU")
linear_attention("linearAttentionEluCausal", 8, 2, True, "ELU")
linear_attention("linearAttentionNormAware", 6, 3, False, "NORM_AWARE")
linear_attention("linearAttentionNormAwareCausal", 6, 2, True, "NORM_AWARE")

# ---------------------------------------------------------------- boundary shapes, no affine parameters

gn0 = tnn.GroupNorm(3, 6, eps=1e-5, affine=False)
x = randn(4, 6, scale=2.0)                       # [N, C]: the smallest rank GroupNorm takes
put("groupNormPlain/input", x)
put("groupNormPlain/output", gn0(x))

ln0 = tnn.LayerNorm((2, 3), eps=1e-5, elementwise_affine=False)
x = randn(2, 3, scale=2.0)                       # exactly the normalized shape, no batch axes
put("layerNormPlain/input", x)
put("layerNormPlain/output", ln0(x))

with open(OUT, "w") as f:
    f.write("# written by modules/nn/src/test/interop/torch_layers.py (PyTorch %s, NumPy %s); do not edit\n"
            % (torch.__version__, np.__version__))
    f.write("\n".join(lines) + "\n")
print("wrote %d tensors to %s" % (len(lines), os.path.normpath(OUT)))
