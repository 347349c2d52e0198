"""The audit key: production refuses to start without a real one, outside the database."""

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import _audit_keys

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION = {"SMERTESPOR_ENV": "production", "SECRET_KEY": "x" * 60, "DEBUG": "0"}
SECRET = base64.b64encode(b"k" * 32).decode()


def _start(**env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AUDIT_")}
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
    "keys",
    [
        pytest.param({}, id="no-key"),
        pytest.param({"AUDIT_HMAC_KEYS": "k1:" + base64.b64encode(b"short").decode()}, id="short"),
        pytest.param({"AUDIT_HMAC_KEYS": f"dev-insecure-public-key:{SECRET}"}, id="dev-key"),
    ],
)
def test_production_refuses_to_start_without_a_real_audit_key(keys):
    result = _start(**PRODUCTION, **keys)
    assert result.returncode != 0
    assert "audit" in result.stderr.lower()


def test_production_reads_the_keys_from_a_file(tmp_path):
    key_file = tmp_path / "audit-keys"
    key_file.write_text(f"k2:{SECRET}\nk1:{SECRET}\n")
    assert _start(**PRODUCTION, AUDIT_HMAC_KEYS_FILE=str(key_file)).returncode == 0
    assert list(_audit_keys("", str(key_file))) == ["k2", "k1"]


def test_keys_are_id_colon_base64_the_first_signing():
    assert list(_audit_keys(f"k2:{SECRET},k1:{SECRET}", "")) == ["k2", "k1"]
    assert _audit_keys(f"k2:{SECRET}", "")["k2"] == b"k" * 32
    for bad in ("k2:not base64!", f"k2:{SECRET},k2:{SECRET}", f"bad id:{SECRET}", "k2:"):
        with pytest.raises(ImproperlyConfigured):
            _audit_keys(bad, "")
