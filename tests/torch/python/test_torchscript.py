"""TorchScript: scripted in Python, run here and from C++ (script_run.cpp)."""

import os
import subprocess
import tempfile
import unittest

import torch

import mish_torch


class CallsOperator(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.ops.mish.mish(x)


class TorchScript(unittest.TestCase):
    def test_scripted_module_runs_in_python(self):
        x = torch.randn(100)
        for module in (CallsOperator(), mish_torch.Mish()):
            scripted = torch.jit.script(module)
            torch.testing.assert_close(scripted(x), mish_torch.mish(x),
                                       rtol=0, atol=0)

    def test_saved_from_python_runs_in_cpp(self):
        runner = os.environ.get("MISH_TORCH_SCRIPT_RUN")
        if not runner:
            self.skipTest("MISH_TORCH_SCRIPT_RUN not set (ctest sets it)")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "mish.pt")
            torch.jit.script(CallsOperator()).save(path)
            result = subprocess.run([runner, path], capture_output=True,
                                    text=True, check=False)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.strip(), "ok")


if __name__ == "__main__":
    unittest.main()
