"""pytest set-up for the Python module's tests (run by ctest as `python.gpugap`).

A skipped or expected-to-fail test fails the run: tests/ci_gate.sh cannot see inside
pytest, so the rule "a skip is a failure" is kept here.
"""
import os
import subprocess
import json

import pytest


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    stats = reporter.stats if reporter else {}
    bad = sum(len(stats.get(k, [])) for k in ("skipped", "xfailed", "xpassed", "deselected"))
    if bad:
        print(f"\n{bad} test(s) skipped, deselected or xfail: a skip is a failure here")
        session.exitstatus = 1


class Cli:
    """The gpugap executable ($GPUGAP_BIN), for comparison with the module."""

    def __init__(self, path):
        self.path = path

    def run(self, *args):
        return subprocess.run([self.path, *args], capture_output=True, text=True, check=False)

    def json(self, *args):
        r = self.run(*args, "--format", "json", "-q")
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)


@pytest.fixture(scope="session")
def cli():
    path = os.environ.get("GPUGAP_BIN")
    assert path and os.access(path, os.X_OK), "GPUGAP_BIN must name the gpugap executable (ctest sets it)"
    return Cli(path)
