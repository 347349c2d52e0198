"""The demo loader prints the address `make run` really serves (its PORT, via SITE_URL)."""

from io import StringIO
from pathlib import Path
from unittest import mock

from django.core.management import call_command


def test_the_demo_loader_prints_the_served_address(settings):
    settings.SITE_URL = "http://127.0.0.1:8123"
    out = StringIO()
    with mock.patch(
        "smertespor.web.management.commands.load_demo_region.load_demo_region", return_value={}
    ):
        call_command("load_demo_region", stdout=out)
    assert "Open http://127.0.0.1:8123/ and log in." in out.getvalue()
    assert "8000" not in out.getvalue()


def test_make_run_serves_and_names_the_same_port():
    makefile = (Path(__file__).parents[3] / "Makefile").read_text()
    assert "PORT ?= 8000" in makefile
    assert "runserver 127.0.0.1:$(PORT)" in makefile
    assert "SITE_URL=$(RUN_URL) $(PY) manage.py load_demo_region" in makefile
