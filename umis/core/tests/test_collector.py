"""The web server's process runs the cyclic garbage collector less often and never over
what it loaded at start (umis.core.collector)."""

from __future__ import annotations

import json
from pathlib import Path

from umis.core.testing import production_env, run_django

WSGI_STATE = (
    "import gc, json, config.wsgi; print(json.dumps([gc.get_threshold(), gc.get_freeze_count()]))"
)


def _wsgi_state(tmp: Path, **extra: str) -> tuple[list[int], int]:
    out = run_django(WSGI_STATE, production_env(tmp, UMIS_SCREENING_WARM="false", **extra))
    assert out.returncode == 0, out.stderr
    thresholds, frozen = json.loads(out.stdout.strip().splitlines()[-1])
    return thresholds, frozen


def test_server_process_collects_less_often_and_freezes_what_it_loaded(tmp_path: Path) -> None:
    thresholds, frozen = _wsgi_state(tmp_path)
    assert thresholds == [50_000, 20, 10]
    assert frozen > 10_000  # Django, the apps and their modules are no longer walked


def test_thresholds_are_a_setting(tmp_path: Path) -> None:
    thresholds, _frozen = _wsgi_state(tmp_path, UMIS_GC_THRESHOLDS="700,10,10")
    assert thresholds == [700, 10, 10]


def test_a_bad_threshold_stops_the_process_with_a_clear_message(tmp_path: Path) -> None:
    out = run_django("pass", production_env(tmp_path, UMIS_GC_THRESHOLDS="50000,ten,10"))
    assert out.returncode != 0
    assert "UMIS_GC_THRESHOLDS" in out.stderr
    assert "three positive integers" in out.stderr
