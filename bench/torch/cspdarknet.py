"""CSPDarknet-53, the YOLOv4 backbone (Bochkovskiy et al. 2020), as a
classifier: the PyTorch twin of the lab's `--model cspdarknet53`
(lab/train/cspdarknet.cpp), for measurements.

    net = CSPDarknet53(lambda: nn.LeakyReLU(0.1, inplace=True))

A 3x3 stem and five cross-stage-partial stages of 1, 2, 8, 8 and 4 residual
blocks (64 to 1024 channels); every one of the 72 convolutions is followed
by a batch norm and the activation. Each stage downsamples, splits into a
1x1 route and a main path of residual blocks, and merges the two by
concatenation and a 1x1 convolution.
"""

import torch
from torch import nn


def conv_bn_act(cin, cout, kernel, stride, act):
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, stride, kernel // 2, bias=False),
        nn.BatchNorm2d(cout), act())


class Residual(nn.Module):
    """x + 3x3(1x1(x)); YOLOv4 adds after the activation."""

    def __init__(self, channels, hidden, act):
        super().__init__()
        self.convs = nn.Sequential(conv_bn_act(channels, hidden, 1, 1, act),
                                   conv_bn_act(hidden, channels, 3, 1, act))

    def forward(self, x):
        return x + self.convs(x)


class Stage(nn.Module):
    """The first stage's paths keep all channels, its blocks halve them."""

    def __init__(self, cin, cout, blocks, first, stride, act):
        super().__init__()
        part = cout if first else cout // 2
        hidden = cout // 2 if first else part
        self.down = conv_bn_act(cin, cout, 3, stride, act)
        self.route = conv_bn_act(cout, part, 1, 1, act)
        self.main = nn.Sequential(
            conv_bn_act(cout, part, 1, 1, act),
            *[Residual(part, hidden, act) for _ in range(blocks)],
            conv_bn_act(part, part, 1, 1, act))
        self.merge = conv_bn_act(2 * part, cout, 1, 1, act)

    def forward(self, x):
        d = self.down(x)
        return self.merge(torch.cat([self.main(d), self.route(d)], 1))


class CSPDarknet53(nn.Module):
    """small_input (28-32 px): the first stage keeps the resolution."""

    def __init__(self, act, classes=10, in_channels=3, widen=1.0,
                 small_input=True):
        super().__init__()

        def w(width):
            return max(2, int(width * widen + 0.5))

        layers, cin = [conv_bn_act(in_channels, w(32), 3, 1, act)], w(32)
        for i, (width, blocks) in enumerate(
                zip((64, 128, 256, 512, 1024), (1, 2, 8, 8, 4))):
            stride = 1 if i == 0 and small_input else 2
            layers.append(Stage(cin, w(width), blocks, i == 0, stride, act))
            cin = w(width)
        self.body = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1),
                                  nn.Flatten())
        self.head = nn.Linear(cin, classes)

    def forward(self, x):
        return self.head(self.body(x))
