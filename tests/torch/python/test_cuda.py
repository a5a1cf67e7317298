"""torch.ops.mish on CUDA against F.mish; skipped without a GPU."""

import unittest

import torch
import torch.nn.functional as F

import mish_torch


@unittest.skipUnless(torch.cuda.is_available(), "no CUDA device")
class Cuda(unittest.TestCase):
    def test_matches_cpu(self):
        x = torch.cat([torch.linspace(-100, 100, 200001),
                       torch.randn(1 << 20) * 5])
        # A 16-bit result may round the other way: one ULP of the type. The
        # backward is compared in absolute terms near the root of mish'.
        for dtype, rtol, atol in ((torch.float32, 2e-6, 1e-38),
                                  (torch.float64, 1e-12, 1e-300),
                                  (torch.bfloat16, 1 / 128, 1e-38),
                                  (torch.float16, 1 / 1024, 6e-8)):
            xc = x.to(dtype)
            dy = torch.randn(x.shape).to(dtype)
            torch.testing.assert_close(mish_torch.mish(xc.cuda()).cpu(),
                                       mish_torch.mish(xc), rtol=rtol,
                                       atol=atol, msg=f"forward {dtype}")
            torch.testing.assert_close(
                torch.ops.mish.mish_backward(dy.cuda(), xc.cuda()).cpu(),
                torch.ops.mish.mish_backward(dy, xc), rtol=max(rtol, 1e-5),
                atol=1e-5, msg=f"backward {dtype}")

    def test_matches_torch(self):
        x = torch.randn(1 << 16, device="cuda") * 8
        torch.testing.assert_close(mish_torch.mish(x), F.mish(x),
                                   rtol=1e-5, atol=1e-7)

    def test_layouts_and_in_place(self):
        x = torch.randn(4, 3, 8, 8, device="cuda").to(
            memory_format=torch.channels_last)
        y = mish_torch.mish(x)
        self.assertTrue(y.is_contiguous(memory_format=torch.channels_last))
        torch.testing.assert_close(y, F.mish(x), rtol=1e-5, atol=1e-7)
        z = x[:, :, ::2]
        expected = F.mish(z)
        mish_torch.mish_(z)
        torch.testing.assert_close(z, expected, rtol=1e-5, atol=1e-7)
        self.assertEqual(mish_torch.mish(torch.empty(0, device="cuda")).numel(),
                         0)

    def test_gradgradcheck(self):
        x = (torch.randn(30, dtype=torch.float64, device="cuda") * 4
             ).requires_grad_()
        self.assertTrue(torch.autograd.gradcheck(mish_torch.mish, (x,)))
        self.assertTrue(torch.autograd.gradgradcheck(mish_torch.mish, (x,)))

    def test_rejects_mismatched_devices(self):
        x = torch.randn(8)
        with self.assertRaisesRegex(RuntimeError, "same device"):
            torch.ops.mish.mish_backward(x.cuda(), x)
        with self.assertRaisesRegex(RuntimeError, "same device"):
            torch.ops.mish.mish_backward(x, x.cuda())


if __name__ == "__main__":
    unittest.main()
