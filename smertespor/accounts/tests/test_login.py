import pytest
import time_machine
from axes.models import AccessAttempt, AccessLog
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from smertespor.audit.models import AuditEvent
from tests.factories import PASSWORD


def _login(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_a_user_logs_in_and_gets_a_new_session_id(gp):
    client = Client()
    client.get(reverse("login"))
    client.cookies["sessionid"] = "planted-session-id"
    response = _login(client, "gp", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.cookies["sessionid"].value != "planted-session-id"
    assert client.get(reverse("patients:list")).status_code == 200


def test_a_wrong_password_is_refused_with_a_message(gp):
    response = _login(Client(), "gp", "wrong-password")
    assert response.status_code == 200
    assert response.context["form"].errors


def test_the_sixth_attempt_is_locked_out_even_with_the_right_password(gp):
    client = Client()
    for _ in range(4):
        assert _login(client, "gp", "wrong-password").status_code == 200
    # The 5th failure locks the pair; its answer already says so.
    assert _login(client, "gp", "wrong-password").status_code == 429
    response = _login(client, "gp", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get(username="gp").failures_since_start >= 5
    assert AuditEvent.objects.filter(action="login_locked_out").exists()
    assert client.get(reverse("patients:list")).status_code == 302


def test_the_lock_is_per_username_and_address(gp, other_gp):
    client = Client()
    for _ in range(5):
        _login(client, "gp", "wrong-password")
    assert _login(client, "other-gp", PASSWORD).status_code == 302


def test_the_lock_lifts_after_30_minutes(gp):
    with time_machine.travel("2026-11-23 10:00 +00:00", tick=False) as traveller:
        client = Client()
        for _ in range(5):
            _login(client, "gp", "wrong-password")
        assert _login(client, "gp", PASSWORD).status_code == 429
        traveller.shift(31 * 60)
        assert _login(client, "gp", PASSWORD).status_code == 302


def test_logout_ends_the_session_on_the_server(gp):
    client = Client()
    _login(client, "gp", PASSWORD)
    session_key = client.session.session_key
    assert Session.objects.filter(session_key=session_key).exists()
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=session_key).exists()
    assert client.get(reverse("patients:list")).status_code == 302


def test_the_session_expires_after_30_idle_minutes(gp):
    with time_machine.travel("2026-11-23 10:00 +00:00", tick=False) as traveller:
        client = Client()
        _login(client, "gp", PASSWORD)
        traveller.shift(29 * 60)
        assert client.get(reverse("patients:list")).status_code == 200
        traveller.shift(29 * 60)  # activity renewed the idle limit
        assert client.get(reverse("patients:list")).status_code == 200
        traveller.shift(31 * 60)
        response = client.get(reverse("patients:list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_session_ends_12_hours_after_login_however_active(gp):
    with time_machine.travel("2026-11-23 08:00 +00:00", tick=False) as traveller:
        client = Client()
        _login(client, "gp", PASSWORD)
        for _ in range(24):  # active every 25 minutes for 10 hours
            traveller.shift(25 * 60)
            assert client.get(reverse("patients:list")).status_code == 200
        traveller.shift(2 * 60 * 60 + 60)
        response = client.get(reverse("patients:list"))
    assert response.status_code == 302
    assert client.get(reverse("patients:list")).status_code == 302


def test_pages_are_danish_whatever_the_browser_asks_for(db):
    response = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get(reverse("login"))
    assert "Log ind i Smertespor" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "heading"),
    [("da", "Log ind i Smertespor"), ("en", "Log in to Smertespor")],
)
def test_the_login_page_speaks_danish_and_english(db, language, heading):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # the browser's wish does not decide
    client.cookies["django_language"] = language
    response = client.get(reverse("login"))
    assert heading in response.content.decode()
    assert f'<html lang="{language}">' in response.content.decode()


def test_failed_logins_are_recorded_by_axes(gp):
    _login(Client(), "gp", "wrong-password")
    assert AccessAttempt.objects.filter(username="gp").exists()
    _login(Client(), "gp", PASSWORD)
    assert AccessLog.objects.filter(username="gp").exists()


def test_passwords_are_validated(gp):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("short", gp)
    with pytest.raises(ValidationError):
        validate_password("password1234", gp)
    validate_password("a-long-and-uncommon-passphrase", gp)


def test_a_signed_in_request_does_not_rewrite_the_session_row_every_time(gp):
    with time_machine.travel("2026-11-23 10:00 +00:00", tick=False) as traveller:
        client = Client()
        _login(client, "gp", PASSWORD)
        client.get(reverse("patients:list"))
        key = client.session.session_key
        expiry = Session.objects.get(session_key=key).expire_date
        traveller.shift(20)
        assert client.get(reverse("patients:list")).status_code == 200
        assert Session.objects.get(session_key=key).expire_date == expiry
        traveller.shift(60)
        assert client.get(reverse("patients:list")).status_code == 200
        assert Session.objects.get(session_key=key).expire_date > expiry
