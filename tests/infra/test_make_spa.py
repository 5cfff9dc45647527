"""`make run` reinstalls and rebuilds the web app only when something changed (a restart starts at once)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("src/main.tsx", "public/favicon.svg", "index.html", "vite.config.ts", "tsconfig.json", "package.json")


def _project(tmp: Path) -> tuple[Path, Path]:
    """The Makefile over a stand-in frontend, with an `npm` that logs what it was asked and builds dist/index.html."""
    shutil.copy(ROOT / "Makefile", tmp / "Makefile")
    for name in (*SOURCES, "package-lock.json", "../infra/api/openapi.yaml"):
        (tmp / "frontend" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / "frontend" / name).write_text("x")
        os.utime(tmp / "frontend" / name, (time.time() - 100, time.time() - 100))  # sources older than any build
    (tmp / "bin").mkdir()
    npm = tmp / "bin" / "npm"
    npm.write_text(
        '#!/bin/sh\necho "$1" >> "$NPM_LOG"\n'
        'if [ "$1" = ci ]; then mkdir -p node_modules; fi\n'
        'if [ "$1" = run ]; then mkdir -p dist && echo built > dist/index.html; fi\n'
    )
    npm.chmod(npm.stat().st_mode | stat.S_IEXEC)
    return tmp / "frontend", tmp / "npm.log"


def _make_spa(tmp: Path, log: Path) -> list[str]:
    log.write_text("")
    env = {**os.environ, "PATH": f"{tmp / 'bin'}:{os.environ['PATH']}", "NPM_LOG": str(log)}
    subprocess.run(["make", "--no-print-directory", "spa"], cwd=tmp, env=env, check=True, capture_output=True)
    return log.read_text().split()


def _edit(path: Path) -> None:
    time.sleep(0.05)  # newer than what make just wrote (make compares nanosecond times)
    path.write_text("changed")


def test_npm_ci_and_the_build_run_only_when_their_inputs_changed(tmp_path: Path) -> None:
    frontend, log = _project(tmp_path)
    assert _make_spa(tmp_path, log) == ["ci", "run"]  # a fresh clone: install, then build
    assert _make_spa(tmp_path, log) == []  # nothing changed: neither
    _edit(frontend / "src" / "main.tsx")
    assert _make_spa(tmp_path, log) == ["run"]  # a source changed: build only
    assert _make_spa(tmp_path, log) == []
    _edit(tmp_path / "infra" / "api" / "openapi.yaml")
    assert _make_spa(tmp_path, log) == ["run"]  # the spec changed: the API reference is built from it
    assert _make_spa(tmp_path, log) == []
    _edit(frontend / "package-lock.json")
    assert _make_spa(tmp_path, log) == ["ci", "run"]  # the lock changed: install again, and build
    assert _make_spa(tmp_path, log) == []
