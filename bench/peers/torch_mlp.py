#!/usr/bin/env python3
"""Peer timing for dev.proxima.bench.nn.MlpBench: PyTorch (CPU, 2 threads) on the same workload.

MLP 784-256-256-10 with ReLU, float32, batch 128, cross-entropy against fixed random labels.
Measures one zero_grad + forward + loss + backward per call (MlpBench.forwardBackward), and the
gradient and Hessian-vector product of the loss with respect to the first weight matrix alone
(MlpBench.gradW1 / hvpW1, double backward with create_graph=True).
Prints median and best of the repeats in milliseconds.

Run with Debian's torch (not a pyenv python):  /usr/bin/python3 bench/peers/torch_mlp.py [repeats]
(apt-get install -y python3-torch)
"""
import sys
import timeit

import torch

torch.set_num_threads(2)
torch.manual_seed(42)

REPEAT = int(sys.argv[1]) if len(sys.argv) > 1 else 20

net = torch.nn.Sequential(
    torch.nn.Linear(784, 256), torch.nn.ReLU(),
    torch.nn.Linear(256, 256), torch.nn.ReLU(),
    torch.nn.Linear(256, 10))
x = torch.randn(128, 784)
y = torch.randint(0, 10, (128,))
v = torch.randn(256, 784)
loss_fn = torch.nn.functional.cross_entropy


def forward_backward():
    net.zero_grad(set_to_none=True)
    loss = loss_fn(net(x), y)
    loss.backward()
    return loss.item()


def loss_of_w1(w1):
    h = torch.relu(x @ w1.T + net[0].bias.detach())
    h = torch.relu(h @ net[2].weight.detach().T + net[2].bias.detach())
    return loss_fn(h @ net[4].weight.detach().T + net[4].bias.detach(), y)


def grad_w1():
    w1 = net[0].weight.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(loss_of_w1(w1), w1)
    return g[0, 0].item()


def hvp_w1():
    w1 = net[0].weight.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(loss_of_w1(w1), w1, create_graph=True)
    (hv,) = torch.autograd.grad(g, w1, grad_outputs=v)
    return hv[0, 0].item()


def timed(name, fn):
    fn()  # warm-up
    per = sorted(t * 1e3 for t in timeit.repeat(fn, repeat=REPEAT, number=1))
    print(f"{name:18s} median {per[len(per) // 2]:9.3f} ms   best {per[0]:9.3f} ms")


print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
timed("forwardBackward", forward_backward)
timed("gradW1", grad_w1)
timed("hvpW1", hvp_w1)
