"""Why deep Linear-BatchNorm-activation-Dropout networks score far lower in
evaluation mode than on their training batches (docs/RESULTS.md, depth).

Trains mish-lab's `deep` model (D blocks of Linear 500, BatchNorm, activation,
Dropout 0.25; SGD, lr 0.01, batch 128) on all of Fashion-MNIST and tests it
twice per epoch: in evaluation mode with BatchNorm's running statistics, and
after recomputing those statistics on 20,000 training images with dropout off.
The gap between the two is dropout's variance shift, not unsettled statistics.

    /usr/bin/python3 docs/experiments/bn_dropout_shift.py DEPTH ACTIVATION EPOCHS
"""

import glob
import gzip
import struct
import sys

import numpy as np
import torch
from torch import nn

DATA = "/usr/share/datasets/fashion-mnist"


def read_idx(prefix):
    path = sorted(glob.glob(f"{DATA}/{prefix}*"))[0]
    raw = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
    dims = struct.unpack(">" + "I" * raw[3], raw[4:4 + 4 * raw[3]])
    return np.frombuffer(raw[4 + 4 * raw[3]:], np.uint8).reshape(dims)


def images(prefix):
    return torch.tensor(read_idx(prefix).reshape(-1, 784) / 255.0, dtype=torch.float32)


def labels(prefix):
    return torch.tensor(read_idx(prefix).astype(np.int64))


def main():
    depth, activation, epochs = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    torch.set_num_threads(1)
    torch.manual_seed(0)
    x_train, y_train = images("train-images"), labels("train-labels")
    x_test, y_test = images("t10k-images"), labels("t10k-labels")
    mean, std = x_train.mean(), x_train.std()
    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std

    act = {"mish": nn.Mish, "relu": nn.ReLU, "swish": nn.SiLU}[activation]
    layers, width_in = [], 784
    for _ in range(depth):
        layers += [nn.Linear(width_in, 500), nn.BatchNorm1d(500), act(), nn.Dropout(0.25)]
        width_in = 500
    net = nn.Sequential(*layers, nn.Linear(width_in, 10))
    norms = [m for m in net.modules() if isinstance(m, nn.BatchNorm1d)]
    opt = torch.optim.SGD(net.parameters(), lr=0.01)

    def test_accuracy():
        net.eval()
        return (net(x_test).argmax(1) == y_test).float().mean().item() * 100

    for epoch in range(1, epochs + 1):
        net.train()
        order, correct = torch.randperm(len(y_train)), 0
        for k in range(0, len(y_train) - 127, 128):
            batch = order[k:k + 128]
            out = net(x_train[batch])
            loss = nn.functional.cross_entropy(out, y_train[batch])
            opt.zero_grad()
            loss.backward()
            opt.step()
            correct += (out.argmax(1) == y_train[batch]).sum().item()
        with torch.no_grad():
            running = test_accuracy()
            # Exact averages over training images, dropout off, BN in train mode.
            net.eval()
            for m in norms:
                m.reset_running_stats()
                m.momentum = None
                m.train()
            for k in range(0, 20000, 500):
                net(x_train[k:k + 500])
            recomputed = test_accuracy()
            for m in norms:
                m.momentum = 0.1
        print(f"depth {depth} {activation} epoch {epoch}: training batches "
              f"{100 * correct / len(y_train):.2f} %, test (running statistics) "
              f"{running:.2f} %, test (statistics recomputed without dropout) "
              f"{recomputed:.2f} %", flush=True)


if __name__ == "__main__":
    main()
