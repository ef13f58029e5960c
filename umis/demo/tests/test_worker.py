"""`umis worker` keeps its task processes running: one that stops is started again, so the
queue goes on and `umis serve`, which stops everything when the worker stops, stays up."""

from __future__ import annotations

import subprocess
import sys

from umis.demo.management.commands.worker import pool_keep


def _process(code: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", code])  # noqa: S603


def test_a_task_process_that_stopped_is_started_again_and_said_so() -> None:
    crashed = _process("raise SystemExit(3)")
    crashed.wait(timeout=30)
    running = _process("import time; time.sleep(60)")
    pool = [crashed, running]
    said: list[str] = []
    try:
        started = pool_keep(pool, lambda: _process("import time; time.sleep(60)"), said.append)
        assert started == 1
        assert pool[0] is not crashed and pool[0].poll() is None  # a new one, running
        assert pool[1] is running  # a running process is left alone
        assert said == ["A task process stopped (exit code 3); starting a new one."]
        assert pool_keep(pool, lambda: _process("pass"), said.append) == 0
    finally:
        for process in pool:
            process.kill()
            process.wait(timeout=30)
