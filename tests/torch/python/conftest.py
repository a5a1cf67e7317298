"""Where every test of the operators' PyTorch surface must run (ctest sets
MISH_NO_VERSION_SKIPS for torch >= 2.5, the pypi configuration), a test
skipped for any reason but a missing GPU fails instead. torch.compile's
caches start empty: they key on the Python program, not on the library's
operators, so code compiled against an earlier build would be reused."""

import atexit
import os
import shutil
import tempfile

import pytest

os.environ["TORCHINDUCTOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="mish-inductor-")
atexit.register(shutil.rmtree, os.environ["TORCHINDUCTOR_CACHE_DIR"], True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not (report.skipped and os.environ.get("MISH_NO_VERSION_SKIPS")):
        return
    reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) \
        else str(report.longrepr)
    if "CUDA" not in reason and "GPU" not in reason:
        report.outcome = "failed"
        report.longrepr = (f"{item.nodeid} was skipped ({reason}), but with "
                           f"torch {os.environ['MISH_NO_VERSION_SKIPS']} "
                           f"every test must run")
