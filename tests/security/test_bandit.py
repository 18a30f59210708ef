"""bandit over the project code: no high-severity finding (security.md §9 test 37)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.security.live import BASE_DIR

APPS = ["portal", "catalog", "requests_app", "disclosure"]


def test_bandit_finds_no_high_severity_issue():
    result = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-m", "bandit", "-r", *APPS, "-lll", "-f", "json", "-q"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(result.stdout)
    assert report["metrics"]["_totals"]["loc"] > 1000  # it really scanned the apps
    high = [
        f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}"
        for r in report["results"]
    ]
    assert high == []
    assert result.returncode == 0, result.stderr
