"""Login throttling behind the reverse proxy (issue 12, "Lockout behind a proxy").

Everyone reaches production through the proxy, so REMOTE_ADDR is the proxy's address. The
lock must follow the real client (from a trusted proxy's X-Forwarded-For), and failures from
other addresses only slow an account down for a few minutes, never lock its owner out.
"""

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from smertespor.audit.models import AuditEvent
from tests.factories import PASSWORD

PROXY = "10.0.0.5"
OWNER = "198.51.100.7"


@pytest.fixture(autouse=True)
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]


def _via_proxy(client_address):
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address)


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_an_attacker_behind_the_proxy_does_not_lock_the_owner_out(gp):
    with time_machine.travel("2026-11-23 10:00 +00:00", tick=False) as traveller:
        attacker = _via_proxy("203.0.113.66")
        for _ in range(5):
            _login(attacker, "gp", "wrong-password")
        assert _login(attacker, "gp", PASSWORD).status_code == 429
        # The account's back-off after five failures is a second, not half an hour.
        traveller.shift(1)
        assert _login(_via_proxy(OWNER), "gp", PASSWORD).status_code == 302
        assert _login(attacker, "gp", PASSWORD).status_code == 429


def test_the_lock_and_the_audit_row_name_the_client_not_the_proxy(gp):
    attacker = _via_proxy("203.0.113.66")
    for _ in range(5):
        _login(attacker, "gp", "wrong-password")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.66"}
    lockout = AuditEvent.objects.get(action="login_locked_out")
    assert lockout.ip_address == "203.0.113.66"


def test_a_spoofed_forwarded_for_from_an_untrusted_peer_does_not_escape_the_lock(gp):
    for number in range(5):
        spoofer = Client(REMOTE_ADDR="203.0.113.66", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
        _login(spoofer, "gp", "wrong-password")
    spoofer = Client(REMOTE_ADDR="203.0.113.66", HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert _login(spoofer, "gp", PASSWORD).status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.66"}


def test_failures_from_many_addresses_do_not_lock_the_owner_out_from_their_own(gp):
    with time_machine.travel("2026-11-23 10:00 +00:00", tick=False) as traveller:
        assert _login(_via_proxy(OWNER), "gp", PASSWORD).status_code == 302
        for number in range(12):
            traveller.shift(1)
            _login(_via_proxy(f"203.0.113.{number}"), "gp", "wrong-password")
        traveller.shift(1)
        assert _login(_via_proxy(OWNER), "gp", PASSWORD).status_code == 302


def test_failures_from_many_addresses_slow_the_account_down_with_growing_delays(gp):
    with time_machine.travel("2026-11-23 10:00 +00:00", tick=False) as traveller:
        for number in range(5):
            assert _login(_via_proxy(f"203.0.113.{number}"), "gp", "wrong").status_code == 200
        # The account's sixth failure in a row, from yet another address, must wait.
        refused = _login(_via_proxy("203.0.113.50"), "gp", PASSWORD)
        assert refused.status_code == 429
        assert refused["Retry-After"] == "1"
        assert "_auth_user_id" not in refused.wsgi_request.session
        traveller.shift(1)
        assert _login(_via_proxy("203.0.113.51"), "gp", "wrong").status_code == 200
        delayed = _login(_via_proxy("203.0.113.52"), "gp", "wrong")
        assert delayed.status_code == 429
        assert delayed["Retry-After"] == "2"
        assert "2 sekunder" in delayed.content.decode()


def test_the_delay_never_exceeds_five_minutes(gp):
    with time_machine.travel("2026-11-23 10:00 +00:00", tick=False) as traveller:
        for number in range(40):
            traveller.shift(301)
            _login(_via_proxy(f"203.0.113.{number}"), "gp", "wrong")
        refused = _login(_via_proxy("192.0.2.1"), "gp", PASSWORD)
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) <= 300
        traveller.shift(300)
        assert _login(_via_proxy("192.0.2.1"), "gp", PASSWORD).status_code == 302


def test_a_delayed_attempt_is_not_counted_as_a_failure(gp):
    with time_machine.travel("2026-11-23 10:00 +00:00", tick=False):
        for number in range(5):
            _login(_via_proxy(f"203.0.113.{number}"), "gp", "wrong")
        for _ in range(10):
            assert _login(_via_proxy("192.0.2.1"), "gp", "wrong").status_code == 429
        assert not AccessAttempt.objects.filter(ip_address="192.0.2.1").exists()
