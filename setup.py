"""pip install / pip wheel: builds libmish_torch with the project's CMake
build, against the torch that this interpreter imports, and puts it inside
the mish_torch package with the mish libraries it links.

CMAKE_ARGS (environment) adds configure options, e.g. a compiler launcher.
"""

import os
import pathlib
import re
import shlex
import shutil
import subprocess
import sys

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

ROOT = pathlib.Path(__file__).resolve().parent


def project_version():
    text = (ROOT / "CMakeLists.txt").read_text(encoding="utf-8")
    return re.search(r"project\(mish VERSION ([0-9.]+)", text).group(1)


def configure_args(build):
    import torch  # the build's own interpreter: its torch is the target

    args = ["cmake", "-S", str(ROOT), "-B", str(build),
            "-DCMAKE_BUILD_TYPE=Release", "-DCMAKE_INSTALL_LIBDIR=lib",
            "-DMISH_TORCH=ON", "-DMISH_BUILD_TESTS=OFF",
            "-DMISH_BUILD_BENCH=OFF", "-DMISH_BUILD_TOOLS=OFF",
            "-DMISH_BUILD_LAB=OFF",
            # CUDA kernels only for a torch that can call them.
            "-DMISH_CUDA=" + ("ON" if torch.version.cuda else "OFF")]
    # This interpreter's torch is the LibTorch to build against (pip's
    # carries its own; Debian's is in the system path): cmake/MishDeps.cmake.
    args.append("-DMISH_TORCH_PYTHON=" + sys.executable)
    if not (build / "CMakeCache.txt").exists() and shutil.which("ninja"):
        args += ["-G", "Ninja"]
    return args + shlex.split(os.environ.get("CMAKE_ARGS", ""))


def package_libraries(lib, package):
    """Copies libmish_torch.so and, under their sonames, the libraries it
    links from lib into the package (the install's RUNPATH is $ORIGIN)."""
    for path in sorted(lib.glob("libmish*.so*")):
        if path.name == "libmish_torch.so" or (
                re.search(r"\.so\.[0-9]+$", path.name)
                and not path.name.startswith("libmish_torch.")):
            shutil.copyfile(path, package / path.name)  # follows symlinks


class BuildPyWithCMake(build_py):
    def run(self):
        super().run()
        build_temp = self.get_finalized_command("build").build_temp
        build = pathlib.Path(build_temp).resolve() / "cmake"
        stage = build / "stage"
        subprocess.run(configure_args(build), check=True)
        subprocess.run(["cmake", "--build", str(build)], check=True)
        shutil.rmtree(stage, ignore_errors=True)
        subprocess.run(["cmake", "--install", str(build), "--prefix",
                        str(stage)], check=True, stdout=subprocess.DEVNULL)
        package_libraries(stage / "lib",
                          pathlib.Path(self.build_lib) / "mish_torch")


class BinaryDistribution(Distribution):
    """The package holds native libraries: a platform wheel, not a pure
    one."""

    def has_ext_modules(self):
        return True


setup(version=project_version(), cmdclass={"build_py": BuildPyWithCMake},
      distclass=BinaryDistribution)
