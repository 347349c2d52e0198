"""Advice test fixtures: a clinic doctor beside the clinic nurse, uploads in a temp folder."""

import pytest

from smertespor.advice.tests.factories import clinic_doctor_of


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def clinic_doctor(clinic):
    return clinic_doctor_of(clinic)


@pytest.fixture
def client_for(client_for, settings):
    """Logged-in clients reading English (the source strings the tests look for)."""

    def make(user):
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make
