"""torch.export.export (torch >= 2.1; skipped on older ones) of networks
built on the operators: the exported program runs and equals eager, in eval
and in training mode (running statistics included)."""

import copy
import unittest

import torch

from test_compile import TORCH_VERSION, network


@unittest.skipIf(TORCH_VERSION < (2, 1), f"torch.export needs torch >= 2.1, "
                 f"this is {torch.__version__}")
class Export(unittest.TestCase):
    def test_every_module(self):
        for kind in ("mish", "mish_", "plain", "normalized"):
            for training in (False, True):
                with self.subTest(kind=kind, training=training):
                    eager = network(kind).train(training)
                    x = torch.randn(2, 3, 10, 10)
                    program = torch.export.export(
                        copy.deepcopy(eager), (x,))
                    exported = program.module()
                    for step in range(2):  # statistics updated each step
                        y = torch.randn(2, 3, 10, 10)
                        torch.testing.assert_close(
                            exported(y), eager(y), rtol=1e-5, atol=1e-5)
                    torch.testing.assert_close(
                        dict(exported.named_buffers()),
                        dict(eager.named_buffers()), rtol=1e-6, atol=1e-6)
                    names = {str(node.target) for node in program.graph.nodes}
                    self.assertTrue(any("mish." in n for n in names), names)


if __name__ == "__main__":
    unittest.main()
