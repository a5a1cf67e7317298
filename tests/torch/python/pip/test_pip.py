"""`pip install .` and `pip wheel .` as docs/TORCH.md writes them, offline, in
a copy of the checkout, with nothing set for mish: the package must import
from any directory. With Debian's torch, its pip section (a venv
that sees the system's packages); with PyPI's (this interpreter is a venv,
.venv), its "With PyTorch from pip" section, in a venv at the copy's .venv
that sees this one's packages. Slow (it builds the library), so ctest runs
it on its own (torch.pip)."""

import os
import pathlib
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import unittest
import zipfile

SOURCE = pathlib.Path(__file__).resolve().parents[4]
# Build trees, environments and run outputs are not what pip builds from.
NOT_SOURCE = ("build*", ".git", ".venv", "runs", "out", ".deps",
              "*.egg-info", "__pycache__")
IN_VENV = sys.prefix != sys.base_prefix  # the pypi configuration


def readme_pip_commands():
    text = (SOURCE / "docs" / "TORCH.md").read_text(encoding="utf-8")
    heading = "### With PyTorch from pip" if IN_VENV else "### pip install"
    section = text[text.index(heading):]
    pip = section.index("pip install --no-build-isolation")
    block = section.rindex("```sh\n", 0, pip)
    return re.search(r"^```sh\n(.*?)^```", section[block:],
                     re.M | re.S).group(1)


def make_venv(path):
    """A venv that sees this interpreter's torch: the system's packages, or
    through a .pth file, those of the venv this runs in (whose setuptools,
    which torch asks for, replaces the older one venv installs)."""
    if not IN_VENV:
        return f"{sys.executable} -m venv --system-site-packages {path}"
    site = sysconfig.get_paths()["purelib"]
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    return (f"{sys.base_prefix}/bin/{version} -m venv {path} && echo {site} "
            f"> {path}/lib/{version}/site-packages/torch-from.pth && "
            f"{path}/bin/pip uninstall -q -y setuptools")


def user_env(home):
    env = {k: v for k, v in os.environ.items()
           if k not in ("MISH_TORCH_LIBRARY", "PYTHONPATH", "VIRTUAL_ENV")}
    env.update(HOME=str(home), PIP_NO_INDEX="1",  # offline: fail, never fetch
               PIP_DISABLE_PIP_VERSION_CHECK="1",
               PIP_ROOT_USER_ACTION="ignore")
    # CCACHE_DIR, when set, keeps a developer's warm cache (the build
    # compiles through ccache with paths relative to the copy).
    return env


class Pip(unittest.TestCase):
    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.tmp)
        self.home = self.tmp / "home"
        self.home.mkdir()
        self.checkout = self.tmp / "checkout"
        shutil.copytree(SOURCE, self.checkout,
                        ignore=shutil.ignore_patterns(*NOT_SOURCE))
        self.env = user_env(self.home)
        if IN_VENV:  # the README's .venv, in the copy
            self.bash(make_venv(self.checkout / ".venv"), "/")

    def bash(self, script, cwd):
        result = subprocess.run(["bash", "-euo", "pipefail", "-c", script],
                                cwd=cwd, env=self.env, capture_output=True,
                                text=True, check=False)
        self.assertEqual(result.returncode, 0,
                         script + result.stdout[-3000:] + result.stderr)
        return result.stdout

    def test_readme_install_and_wheel(self):
        out = self.bash(readme_pip_commands(), self.checkout)
        self.assertRegex(out.splitlines()[-1], r"^tensor\(\[0\.8651, 0\.8651\]\)$")

        # The package and its libraries live in the environment.
        venv = self.checkout / ".venv" if IN_VENV else self.home / "venv-mish"
        where = self.bash(f"{venv}/bin/python -c 'import mish_torch; "
                          "print(mish_torch.library_path)'", "/")
        self.assertTrue(where.startswith(str(venv)), where)

        # The wheel holds the same, for this platform, and installs in a
        # second environment with nothing else.
        (wheel,) = (self.checkout / "dist").glob("mish_torch-*.whl")
        self.assertNotIn("-none-any", wheel.name)
        names = zipfile.ZipFile(wheel).namelist()
        for name in ("mish_torch/__init__.py", "mish_torch/libmish_torch.so",
                     "mish_torch/libmish.so.0"):
            self.assertIn(name, names)
        second = self.tmp / "second"
        self.bash(f"{make_venv(second)} && {second}/bin/pip install "
                  f"--no-deps {wheel}", "/")
        out = self.bash(f"{second}/bin/python -c 'import torch, mish_torch; "
                        "print(mish_torch.library_path); "
                        "print(mish_torch.mish(torch.zeros(1)).item())'", "/")
        library, value = out.split()
        self.assertTrue(library.startswith(str(second)), library)
        self.assertEqual(value, "0.0")


if __name__ == "__main__":
    unittest.main()
