"""The embedded PostgreSQL is kept warm on purpose, says so, and stops on request
(``scripts/stop``): it never keeps running silently."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from portal import embedded_db

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.fault
def test_status_says_it_is_running_and_stop_stops_it(tmp_path, capsys):
    pgdata = tmp_path / "pgdata"
    embedded_db.embedded_database(pgdata)
    try:
        assert embedded_db.running_server(pgdata) is not None
        assert embedded_db.main(["status", str(pgdata)]) == 0
        said = capsys.readouterr().out
        assert "内嵌 PostgreSQL 仍在运行" in said
        assert "./scripts/stop" in said

        assert embedded_db.main(["stop", str(pgdata)]) == 0
        assert "已停止" in capsys.readouterr().out
        assert embedded_db.running_server(pgdata) is None
        assert embedded_db.main(["status", str(pgdata)]) == 3
        assert embedded_db.main(["stop", str(pgdata)]) == 0  # stopping twice is fine
        assert "未在运行" in capsys.readouterr().out
    finally:
        embedded_db.stop_server(pgdata)


def test_status_of_a_folder_without_a_server_starts_nothing(tmp_path, capsys):
    assert embedded_db.main(["status", str(tmp_path)]) == 3
    assert "未在运行" in capsys.readouterr().out
    assert not (tmp_path / "postmaster.pid").exists()
    assert embedded_db.main(["nonsense"]) == 2


def test_the_scripts_say_the_server_is_left_running():
    for script in ("scripts/test", "scripts/run"):
        text = (REPO / script).read_text(encoding="utf-8")
        assert "portal.embedded_db status" in text, script
        assert "trap" in text, script
    stop = REPO / "scripts" / "stop"
    assert stop.stat().st_mode & 0o111
    assert "portal.embedded_db stop" in stop.read_text(encoding="utf-8")
    assert "./scripts/stop" in (REPO / "README.md").read_text(encoding="utf-8")
    result = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        ["/bin/bash", "-n", str(REPO / "scripts" / "test")],
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
