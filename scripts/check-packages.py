#!/usr/bin/python3
"""Runs a command (a build, its tests) under strace and fails when it used a
file of a Debian package that scripts/install-deps.sh does not bring in.

A package is allowed when it is in install-deps.sh's list, a dependency of one
(Depends and Pre-Depends, recursively, Recommends not counted), or of
priority required/important (what a minimal Debian system has). A file is
"used" when a process of the command opened or executed it successfully; it
belongs to the package whose file list (dpkg) names it, its target or its
merged-/usr twin. Files of no package (/usr/local, generated caches) are
counted, not judged.

    scripts/check-packages.py [--trace FILE] -- COMMAND [ARGS...]

Exit status: the command's, or 1 when it used packages outside the set.
"""

import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SYSTEM_DIRS = ("/usr/", "/etc/", "/lib", "/bin/", "/sbin/", "/opt/")
# Opened when present, done without otherwise: locale data (C libraries),
# separate debug symbols (symbolizers), lsb_release (pip's platform probe),
# LLVM's OpenMP runtime (oneTBB, under OpenCV, probes for it); and the
# linker's reading of every package's ld.so.conf.d snippet.
# Named under /usr; /lib, /bin and /sbin are the same folders (merged /usr).
OPTIONAL = ("/usr/share/locale/", "/usr/lib/locale/", "/usr/share/i18n/",
            "/usr/lib/debug/", "/usr/bin/lsb_release", "/etc/ld.so.conf.d/",
            "/usr/lib/x86_64-linux-gnu/libiomp5.so")
MERGED = ("/lib/", "/bin/", "/sbin/")
# Python distribution metadata: pip and importlib.metadata read that of every
# installed distribution to list them, which uses none of them.
METADATA = re.compile(r"/[^/]+\.(?:dist|egg)-info(?:/|$)")
TRACED = re.compile(r'^\d+ +(?:openat|open|execve)\((?:AT_FDCWD, )?"([^"]+)"')


def run_traced(command, trace):
    """Runs command under strace; returns its exit status."""
    strace = ["strace", "-f", "-qq", "--seccomp-bpf", "-z", "-e",
              "trace=open,openat,execve", "-e", "signal=none", "-o", trace]
    return subprocess.call(strace + ["--"] + command)


def under_usr(path):
    """path with a merged-/usr folder (/lib, /bin, /sbin) named under /usr."""
    return "/usr" + path if path.startswith(MERGED) else path


def used_paths(trace):
    paths = set()
    with open(trace, errors="replace") as f:
        for line in f:
            m = TRACED.match(line)
            if (m and m.group(1).startswith(SYSTEM_DIRS)
                    and not under_usr(m.group(1)).startswith(OPTIONAL)
                    and not METADATA.search(m.group(1))):
                paths.add(m.group(1))
    return {p for p in paths if not os.path.isdir(p)}


def file_owners():
    """Maps every path that dpkg lists to its package."""
    owners = {}
    for lst in glob.glob("/var/lib/dpkg/info/*.list"):
        package = os.path.basename(lst)[:-len(".list")].split(":")[0]
        with open(lst, errors="replace") as f:
            for line in f:
                owners.setdefault(line.rstrip("\n"), package)
    return owners


def candidates(path):
    """The names under which dpkg may list an opened path."""
    if "/__pycache__/" in path:  # byte code compiled at install time
        head, name = path.split("/__pycache__/")
        path = head + "/" + name.split(".")[0] + ".py"
    names = {path, os.path.realpath(path),
             os.path.join(os.path.realpath(os.path.dirname(path)),
                          os.path.basename(path))}
    for name in list(names):
        for short in ("/lib", "/bin", "/sbin"):  # merged /usr
            if name.startswith("/usr" + short + "/"):
                names.add(name[len("/usr"):])
            elif name.startswith(short + "/"):
                names.add("/usr" + name)
    return names


def allowed_packages():
    listed = subprocess.run([os.path.join(ROOT, "scripts/install-deps.sh"),
                             "--list"], check=True, capture_output=True,
                            text=True).stdout.split()
    closure = subprocess.run(
        ["apt-cache", "depends", "--recurse", "--installed", "--no-recommends",
         "--no-suggests", "--no-conflicts", "--no-breaks", "--no-replaces",
         "--no-enhances"] + listed, check=True, capture_output=True,
        text=True).stdout
    allowed = {line.split(":")[0] for line in closure.splitlines()
               if line and not line.startswith((" ", "<"))}
    base = subprocess.run(["dpkg-query", "-W", "-f",
                           "${Package} ${Priority} ${Essential}\n"],
                          check=True, capture_output=True, text=True).stdout
    for line in base.splitlines():
        name, priority, essential = (line.split() + ["", ""])[:3]
        if priority in ("required", "important") or essential == "yes":
            allowed.add(name)
    return allowed, listed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trace", help="keep strace's log in this file")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    trace = args.trace or tempfile.mkstemp(suffix=".strace")[1]
    status = run_traced(command, trace)
    paths = used_paths(trace)
    if not args.trace:
        os.remove(trace)

    owners = file_owners()
    used = {}  # package -> an example file
    unowned = 0
    for path in sorted(paths):
        package = next((owners[n] for n in candidates(path) if n in owners),
                       None)
        if package:
            used.setdefault(package, path)
        else:
            unowned += 1
    allowed, listed = allowed_packages()
    outside = sorted(set(used) - allowed)
    print(f"check-packages: {len(paths)} system files used, from "
          f"{len(used)} packages ({unowned} files of no package); "
          f"{len(listed)} packages listed in scripts/install-deps.sh")
    for package in outside:
        print(f"check-packages: {package} is used (e.g. {used[package]}) but "
              f"scripts/install-deps.sh does not install it", file=sys.stderr)
    if status != 0:
        return status
    return 1 if outside else 0


if __name__ == "__main__":
    sys.exit(main())
