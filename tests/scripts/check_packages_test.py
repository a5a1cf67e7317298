"""scripts/check-packages.py, the CI guard that the build uses no package
scripts/install-deps.sh does not bring in: which opened paths count as
used, and under which names dpkg may list them. Made-up strace logs; the
paths that must count exist on every Debian system."""

import importlib.util
import os
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
SPEC = importlib.util.spec_from_file_location(
    "check_packages", os.path.join(ROOT, "scripts", "check-packages.py"))
guard = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(guard)


def used(lines):
    with tempfile.NamedTemporaryFile("w", suffix=".strace",
                                     delete=False) as f:
        f.write("".join(line + "\n" for line in lines))
    try:
        return guard.used_paths(f.name)
    finally:
        os.remove(f.name)


def opened(path, pid=101):
    return f'{pid} openat(AT_FDCWD, "{path}", O_RDONLY|O_CLOEXEC) = 3'


class UsedPaths(unittest.TestCase):
    def test_system_files_opened_or_executed_count(self):
        self.assertEqual(
            used([opened("/etc/passwd"),
                  '7 execve("/bin/sh", ["sh"], 0x7ffd) = 0',
                  '8 open("/usr/bin/env", O_RDONLY) = 3']),
            {"/etc/passwd", "/bin/sh", "/usr/bin/env"})

    def test_files_outside_the_system_and_directories_do_not(self):
        self.assertEqual(
            used([opened("/work/project/build/a.o"), opened("/tmp/x"),
                  opened("/usr/share"), opened("/etc/passwd"),
                  "12 write(1, \"/etc/shadow\", 11) = 11"]),
            {"/etc/passwd"})

    def test_files_used_only_when_present_do_not(self):
        for path in ("/usr/share/locale/de/LC_MESSAGES/x.mo",
                     "/usr/lib/locale/C.utf8/LC_CTYPE",
                     "/usr/lib/debug/.build-id/ab/cdef.debug",
                     "/usr/bin/lsb_release",
                     "/etc/ld.so.conf.d/fakeroot-x86_64-linux-gnu.conf",
                     "/lib/x86_64-linux-gnu/libiomp5.so",
                     "/usr/lib/x86_64-linux-gnu/libiomp5.so",
                     "/usr/lib/python3/dist-packages/yq-3.1.0.dist-info/"
                     "METADATA",
                     "/usr/lib/python3/dist-packages/x.egg-info"):
            with self.subTest(path=path):
                self.assertEqual(used([opened(path), opened("/etc/passwd")]),
                                 {"/etc/passwd"})

    def test_a_failed_open_counts_as_a_use(self):
        # A program that tries a file of another package depends on it as
        # much as one that finds it: the guard must not forgive it.
        self.assertEqual(
            used(['5 openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = -1 ENOENT '
                  '(No such file or directory)']),
            {"/etc/passwd"})


class Candidates(unittest.TestCase):
    def test_merged_usr_names_both_ways(self):
        self.assertLessEqual({"/usr/bin/sh", "/bin/sh"},
                             guard.candidates("/bin/sh"))
        self.assertLessEqual({"/lib/x86_64-linux-gnu/libc.so.6",
                              "/usr/lib/x86_64-linux-gnu/libc.so.6"},
                             guard.candidates(
                                 "/usr/lib/x86_64-linux-gnu/libc.so.6"))

    def test_byte_code_maps_to_its_source(self):
        self.assertIn("/usr/lib/python3/dist-packages/yaml/reader.py",
                      guard.candidates("/usr/lib/python3/dist-packages/yaml/"
                                       "__pycache__/reader.cpython-311.pyc"))


if __name__ == "__main__":
    unittest.main()
