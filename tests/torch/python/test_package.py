"""The package as users run it, without MISH_TORCH_LIBRARY: from a checkout
(README's PYTHONPATH line), from a cmake --install prefix, and never from a
library that happens to sit in the current directory."""

import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import torch

SOURCE = pathlib.Path(__file__).resolve().parents[3]
PACKAGE = SOURCE / "python" / "mish_torch"
LIBRARY = os.environ.get("MISH_TORCH_LIBRARY")
BUILD = os.environ.get("MISH_BUILD_DIR")


def user_env(**extra):
    """The environment of a user who set nothing for mish."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MISH_TORCH_LIBRARY", "PYTHONPATH")}
    env.update(extra)
    return env


def run(command, cwd, env):
    return subprocess.run(command, cwd=cwd, env=env, shell=True, text=True,
                          capture_output=True, check=False)


def copy_package(destination):
    shutil.copytree(PACKAGE, destination / "mish_torch",
                    ignore=shutil.ignore_patterns("__pycache__", "*.so*"))


@unittest.skipUnless(LIBRARY, "MISH_TORCH_LIBRARY not set (ctest sets it)")
class Checkout(unittest.TestCase):
    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.tmp)

    def test_readme_line_in_a_preset_build(self):
        readme = (SOURCE / "README.md").read_text(encoding="utf-8")
        line = re.search(r"`(PYTHONPATH=python /usr/bin/python3 -c .*?)`",
                         readme).group(1)
        # A checkout whose library sits where `cmake --preset release`
        # builds it (pypi, with .venv's interpreter, for PyPI's torch).
        copy_package(self.tmp / "python")
        preset = "release"
        if sys.prefix != sys.base_prefix:
            preset = "pypi"
            line = line.replace("/usr/bin/python3", sys.executable)
        built = self.tmp / "build" / preset / "src" / "torch"
        built.mkdir(parents=True)
        (built / "libmish_torch.so").symlink_to(LIBRARY)
        result = run(line, self.tmp, user_env())
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertRegex(result.stdout, r"^tensor\(\[.*\]\)\s*$")
        where = run(f"{line.split(' -c ')[0]} -c 'import mish_torch; "
                    "print(mish_torch.library_path)'", self.tmp, user_env())
        self.assertEqual(where.stdout.strip(), str(built / "libmish_torch.so"))

    def test_never_loads_from_the_current_directory(self):
        copy_package(self.tmp / "python")
        cwd = self.tmp / "elsewhere"
        cwd.mkdir()
        # A loadable library under the bare name, in the current directory.
        shutil.copy(LIBRARY, cwd / "libmish_torch.so")
        result = run(f"{sys.executable} -c 'import mish_torch'", cwd,
                     user_env(PYTHONPATH=str(self.tmp / "python")))
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("no libmish_torch.so built for torch", result.stderr)
        self.assertIn(str(self.tmp / "build" / "release"), result.stderr)

    def test_skips_a_build_for_another_torch(self):
        copy_package(self.tmp / "python")
        built = self.tmp / "build" / "release" / "src" / "torch"
        built.mkdir(parents=True)
        (built / "libmish_torch.so").symlink_to(LIBRARY)
        env = user_env(PYTHONPATH=str(self.tmp / "python"))
        command = f"{sys.executable} -c 'import mish_torch'"
        (built / "torch-version").write_text("1.0.0\n")
        result = run(command, self.tmp, env)
        self.assertIn("no libmish_torch.so built for torch", result.stderr)
        (built / "torch-version").write_text(torch.__version__ + "\n")
        self.assertEqual(run(command, self.tmp, env).returncode, 0)


@unittest.skipUnless(BUILD, "MISH_BUILD_DIR not set (ctest sets it)")
class Installed(unittest.TestCase):
    def test_cmake_install_prefix(self):
        with tempfile.TemporaryDirectory() as prefix:
            install = subprocess.run(
                ["cmake", "--install", BUILD, "--prefix", prefix],
                capture_output=True, text=True, check=False)
            self.assertEqual(install.returncode, 0, install.stderr)
            site = pathlib.Path(prefix) / "lib" / "python3" / "dist-packages"
            result = run(f"{sys.executable} -c 'import torch, mish_torch; "
                         "print(mish_torch.library_path); "
                         "print(mish_torch.mish(torch.zeros(2)).tolist())'",
                         "/", user_env(PYTHONPATH=str(site)))
            self.assertEqual(result.returncode, 0, result.stderr)
            library, values = result.stdout.splitlines()
            self.assertTrue(library.startswith(prefix), library)
            self.assertEqual(values, "[0.0, 0.0]")


if __name__ == "__main__":
    unittest.main()
