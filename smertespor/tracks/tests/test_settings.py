"""The rule's settings come from the environment and refuse nonsense at start-up."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _settings(**env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TRACKS_")}
    environment.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import config.settings as s; print(s.TRACKS_RULE_PERIOD_MONTHS, "
            "s.TRACKS_SUCCESS_DEFINITION, s.TRACKS_APPROACHING_DAYS, s.TRACKS_FOLLOW_UP_DUE_DAYS)",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_defaults_are_the_seed_s_3_months_stopped_or_target_and_14_days():
    result = _settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["3", "stopped_or_target", "14", "7"]


def test_a_region_may_change_the_rule_from_the_environment():
    result = _settings(
        TRACKS_RULE_PERIOD_MONTHS="4",
        TRACKS_SUCCESS_DEFINITION="stopped_only",
        TRACKS_APPROACHING_DAYS="21",
        TRACKS_FOLLOW_UP_DUE_DAYS="3",
    )
    assert result.stdout.split() == ["4", "stopped_only", "21", "3"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        pytest.param({"TRACKS_RULE_PERIOD_MONTHS": "90"}, "period", id="days-for-months"),
        pytest.param({"TRACKS_RULE_PERIOD_MONTHS": "three"}, "whole number", id="not-a-number"),
        pytest.param({"TRACKS_SUCCESS_DEFINITION": "reduced"}, "stopped_or_target", id="unknown"),
        pytest.param({"TRACKS_APPROACHING_DAYS": "-1"}, "window", id="negative-window"),
        pytest.param({"TRACKS_FOLLOW_UP_DUE_DAYS": "400"}, "0 to 366", id="due-window"),
    ],
)
def test_bad_rule_settings_refuse_to_start(env, message):
    result = _settings(**env)
    assert result.returncode != 0
    assert message in result.stderr
