"""gradcheck and gradgradcheck in float64, as for torch's native mish."""

import unittest

import torch

import mish_torch


def inputs(device="cpu"):
    torch.manual_seed(0)
    x = torch.cat([torch.randn(40, dtype=torch.float64) * 4,
                   torch.linspace(-25, 25, 11, dtype=torch.float64)])
    return x.to(device).requires_grad_()


class GradCheck(unittest.TestCase):
    def test_gradcheck(self):
        self.assertTrue(torch.autograd.gradcheck(mish_torch.mish, (inputs(),)))

    def test_gradgradcheck(self):
        self.assertTrue(
            torch.autograd.gradgradcheck(mish_torch.mish, (inputs(),)))

    def test_mish_backward_gradcheck(self):
        x = inputs()
        dy = torch.randn_like(x).requires_grad_()
        self.assertTrue(torch.autograd.gradcheck(
            torch.ops.mish.mish_backward, (dy, x)))
        self.assertTrue(torch.autograd.gradgradcheck(
            torch.ops.mish.mish_backward, (dy, x)))

    def test_in_place_gradcheck(self):
        self.assertTrue(torch.autograd.gradcheck(
            lambda x: mish_torch.mish_(x.clone()), (inputs(),)))


if __name__ == "__main__":
    unittest.main()
