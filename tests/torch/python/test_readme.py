"""Every Python snippet of the README runs as written, in a fresh
interpreter."""

import importlib.util
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import unittest

import torch

README = pathlib.Path(__file__).resolve().parents[3] / "README.md"
TORCH_VERSION = tuple(int(p) for p in torch.__version__.split(".")[:2])


def snippets():
    text = README.read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```", text, re.M | re.S)


def why_not_here(code):
    if "import torch, torchvision" in code and \
            importlib.util.find_spec("torchvision") is None:
        return "needs torchvision"
    if "torch.compile(" in code and TORCH_VERSION < (2, 1):
        return f"torch.compile needs torch >= 2.1, this is {torch.__version__}"
    return None


class Readme(unittest.TestCase):
    """One test per snippet, test_snippet_<n> in the README's order."""

    def test_has_the_snippets(self):
        self.assertGreaterEqual(len(snippets()), 4)


def snippet_test(code):
    def test(self):
        reason = why_not_here(code)
        if reason:
            self.skipTest(reason)
        with tempfile.TemporaryDirectory() as cwd:
            result = subprocess.run([sys.executable, "-c", code], cwd=cwd,
                                    env=os.environ, capture_output=True,
                                    text=True, check=False)
        self.assertEqual(result.returncode, 0, code + result.stderr)
    return test


for number, snippet in enumerate(snippets()):
    setattr(Readme, f"test_snippet_{number}", snippet_test(snippet))


if __name__ == "__main__":
    unittest.main()
