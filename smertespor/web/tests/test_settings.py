"""The settings module fails loudly on unsafe or malformed configuration."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
GOOD_SECRET = "x" * 60
GOOD_AUDIT_KEYS = "k1:eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHg="  # 32 × "x"


def _import_settings(**env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "SMERTESPOR_ENV", "AUDIT_HMAC_KEYS"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        pytest.param({"SMERTESPOR_ENV": "production"}, "SECRET_KEY", id="default-secret"),
        pytest.param(
            {"SMERTESPOR_ENV": "production", "SECRET_KEY": "short"}, "SECRET_KEY", id="short"
        ),
        pytest.param(
            {"SMERTESPOR_ENV": "production", "SECRET_KEY": GOOD_SECRET, "DEBUG": "1"},
            "DEBUG",
            id="debug-on",
        ),
        pytest.param({"DEBUG": "maybe"}, "DEBUG must be true or false", id="bad-boolean"),
        pytest.param({"SMERTESPOR_ENV": "staging"}, "SMERTESPOR_ENV", id="unknown-env"),
        pytest.param({"SESSION_IDLE_TIMEOUT_SECONDS": "soon"}, "whole number", id="bad-number"),
        pytest.param({"APPOINTMENT_OPENS": "7 am"}, "HH:MM", id="bad-opening-time"),
        pytest.param(
            {"APPOINTMENT_OPENS": "17:00", "APPOINTMENT_CLOSES": "07:00"},
            "before APPOINTMENT_CLOSES",
            id="closes-before-it-opens",
        ),
    ],
)
def test_bad_settings_refuse_to_start(env, message):
    result = _import_settings(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_starts_with_a_real_secret_and_debug_off():
    result = _import_settings(
        SMERTESPOR_ENV="production",
        SECRET_KEY=GOOD_SECRET,
        DEBUG="0",
        AUDIT_HMAC_KEYS=GOOD_AUDIT_KEYS,
    )
    assert result.returncode == 0, result.stderr
