"""Every Python snippet of the README and of docs/TORCH.md runs as written,
in a fresh interpreter."""

import importlib.util
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import unittest

import torch

SOURCE = pathlib.Path(__file__).resolve().parents[3]
DOCUMENTS = (SOURCE / "README.md", SOURCE / "docs" / "TORCH.md")
TORCH_VERSION = tuple(int(p) for p in torch.__version__.split(".")[:2])


def snippets():
    return [code for document in DOCUMENTS
            for code in re.findall(r"^```python\n(.*?)^```",
                                   document.read_text(encoding="utf-8"),
                                   re.M | re.S)]


def why_not_here(code):
    if "import torch, torchvision" in code and \
            importlib.util.find_spec("torchvision") is None:
        return "needs torchvision"
    if "torch.compile(" in code and TORCH_VERSION < (2, 1):
        return f"torch.compile needs torch >= 2.1, this is {torch.__version__}"
    return None


class Readme(unittest.TestCase):
    """One test per snippet, test_snippet_<n> in the documents' order."""

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
