"""Two factors (issue 12, "No second factor"): TOTP, recovery codes, passkeys, the gate."""

import json
import re
from binascii import unhexlify

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from smertespor.audit.models import AuditEvent
from tests.factories import PASSWORD

RECOVERY_CODES = [f"code{n:04d}" for n in range(3)]


def _code(key: bytes) -> str:
    return f"{totp(key):06d}"


def _login(client: Client, username: str = "gp"):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return response


def _asked_for_the_code(client: Client) -> bool:
    response = client.get(reverse("patients:list"))
    return response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:mfa_verify")
    )


@pytest.fixture
def required(settings):
    settings.MFA_REQUIRED = True


@pytest.fixture
def gp_device(gp):
    """The GP's authenticator app and three recovery codes."""
    device = TOTPDevice.objects.create(user=gp, name="Phone", confirmed=True)
    static = StaticDevice.objects.create(user=gp, name="Recovery codes")
    for code in RECOVERY_CODES:
        StaticToken.objects.create(device=static, token=code)
    return device


def test_a_user_without_a_device_is_sent_to_set_one_up_and_reaches_nothing_else(gp, required):
    client = Client()
    _login(client)
    response = client.get(reverse("patients:list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:mfa")
    api = client.get("/api/patients")
    assert api.status_code == 403
    assert api["Content-Type"].startswith("application/problem+json")
    assert api.json()["status"] == 403
    assert client.get(reverse("accounts:mfa")).status_code == 200


def test_a_user_sets_up_an_authenticator_app_with_a_real_code_and_gets_recovery_codes(gp, required):
    client = Client()
    _login(client)
    page = client.get(reverse("accounts:mfa_totp"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "no inline script"
    assert "style=" not in html.split('<main id="main"', 1)[1]
    key = unhexlify(client.session["smertespor_mfa_pending_totp_key"])
    response = client.post(reverse("accounts:mfa_totp"), {"token": _code(key)})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert all(code in response.content.decode() for code in codes)
    device = TOTPDevice.objects.get(user=gp)
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=gp).count() == 10
    enrolled = AuditEvent.objects.filter(action="mfa_enrolled", user=gp)
    assert {row.detail["method"] for row in enrolled} == {"totp", "recovery_codes"}
    # The session is verified by the code just entered: everything opens.
    assert client.get(reverse("patients:list")).status_code == 200
    assert client.get("/api/patients").status_code == 200


def test_a_wrong_code_does_not_set_up_the_app(gp, required):
    client = Client()
    _login(client)
    client.get(reverse("accounts:mfa_totp"))
    response = client.post(reverse("accounts:mfa_totp"), {"token": "000000x"})
    assert response.status_code == 422
    assert not TOTPDevice.objects.filter(user=gp).exists()
    assert client.get(reverse("patients:list")).status_code == 302


def test_login_asks_for_the_code_and_accepts_the_apps_current_one(gp, gp_device):
    client = Client()
    _login(client)
    page = client.get(reverse("patients:list"))
    assert page.status_code == 302
    assert page["Location"] == f"{reverse('accounts:mfa_verify')}?next=%2Fpatients%2F"
    response = client.post(
        reverse("accounts:mfa_verify"),
        {"token": _code(gp_device.bin_key), "next": "/patients/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/patients/"
    assert client.get(reverse("patients:list")).status_code == 200
    assert client.get("/api/patients").status_code == 200


def test_pages_and_the_api_are_refused_until_the_code_is_given(gp, gp_device, required):
    client = Client()
    _login(client)
    assert _asked_for_the_code(client)
    api = client.get("/api/patients")
    assert api.status_code == 401
    assert api["Content-Type"].startswith("application/problem+json")
    assert api.json()["status"] == 401
    # Nor may an unverified session set up another app of its own.
    assert client.get(reverse("accounts:mfa_totp")).status_code == 302
    assert client.post(reverse("accounts:mfa_recovery_codes")).status_code == 302
    assert StaticToken.objects.filter(device__user=gp).count() == len(RECOVERY_CODES)


def test_a_wrong_code_is_refused_and_audited(gp, gp_device):
    client = Client(REMOTE_ADDR="198.51.100.7")
    _login(client)
    response = client.post(reverse("accounts:mfa_verify"), {"token": "123456"})
    assert response.status_code == 422
    assert "ikke godkendt" in response.content.decode()
    failure = AuditEvent.objects.get(action="mfa_failed")
    assert failure.user == gp
    assert failure.detail == {"method": "totp"}
    assert failure.ip_address == "198.51.100.7"
    assert _asked_for_the_code(client)


def test_wrong_codes_make_the_next_try_wait(gp, gp_device):
    with time_machine.travel("2026-11-23 10:00 +00:00", tick=False) as traveller:
        client = Client()
        _login(client)
        client.post(reverse("accounts:mfa_verify"), {"token": "123456"})
        client.post(reverse("accounts:mfa_verify"), {"token": "123456"})
        gp_device.refresh_from_db()
        waiting = client.post(reverse("accounts:mfa_verify"), {"token": _code(gp_device.bin_key)})
        assert waiting.status_code == 429
        assert _asked_for_the_code(client)
        traveller.shift(30)
        accepted = client.post(reverse("accounts:mfa_verify"), {"token": _code(gp_device.bin_key)})
        assert accepted.status_code == 302


def test_a_code_cannot_be_used_twice(gp, gp_device):
    with time_machine.travel("2026-11-23 10:00 +00:00", tick=False):
        first = Client()
        _login(first)
        code = _code(gp_device.bin_key)
        assert first.post(reverse("accounts:mfa_verify"), {"token": code}).status_code == 302
        second = Client()
        _login(second)
        assert second.post(reverse("accounts:mfa_verify"), {"token": code}).status_code == 422


def test_a_recovery_code_works_once_and_is_audited(gp, gp_device):
    client = Client()
    _login(client)
    response = client.post(reverse("accounts:mfa_verify"), {"token": "CODE 0001"})
    assert response.status_code == 302
    assert client.get(reverse("patients:list")).status_code == 200
    used = AuditEvent.objects.get(action="mfa_recovery_code_used")
    assert used.user == gp
    assert used.detail == {"remaining": 2}
    client.post(reverse("logout"))

    again = Client()
    _login(again)
    assert again.post(reverse("accounts:mfa_verify"), {"token": "code0001"}).status_code == 422
    assert AuditEvent.objects.get(action="mfa_failed").detail == {"method": "recovery_code"}
    assert _asked_for_the_code(again)


def test_new_recovery_codes_replace_the_old_ones(gp, gp_device, client_for):
    client = Client()
    _login(client)
    client.post(reverse("accounts:mfa_verify"), {"token": _code(gp_device.bin_key)})
    response = client.post(reverse("accounts:mfa_recovery_codes"))
    assert response.status_code == 200
    tokens = set(StaticToken.objects.filter(device__user=gp).values_list("token", flat=True))
    assert tokens == set(response.context["codes"])
    assert not tokens & set(RECOVERY_CODES)


def test_recovery_codes_alone_are_no_second_factor(gp, client_for):
    response = client_for(gp).post(reverse("accounts:mfa_recovery_codes"))
    assert response.status_code == 302
    assert not StaticDevice.objects.filter(user=gp).exists()


def test_the_demo_keeps_password_only_logins_and_says_so(gp, settings):
    settings.MFA_REQUIRED = False
    page = Client().get(reverse("login"))
    assert "Demo: kun adgangskode" in page.content.decode()
    client = Client()
    _login(client)
    assert client.get(reverse("patients:list")).status_code == 200
    assert client.get("/api/patients").status_code == 200


def test_production_asks_for_two_factors_and_does_not_say_demo(db, required):
    page = Client().get(reverse("login"))
    assert "Demo" not in page.content.decode()


def test_verification_is_skipped_for_a_user_who_needs_none(gp, client_for):
    response = client_for(gp).get(reverse("accounts:mfa_verify") + "?next=/patients/")
    assert response.status_code == 302
    assert response["Location"] == "/patients/"


def test_verification_never_redirects_to_another_site(gp, gp_device):
    client = Client()
    _login(client)
    response = client.post(
        reverse("accounts:mfa_verify"),
        {"token": _code(gp_device.bin_key), "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_a_passkey_can_be_registered_while_setting_up(gp, required):
    client = Client()
    _login(client)
    page = client.get(reverse("accounts:mfa"))
    html = page.content.decode()
    assert 'id="otp_webauthn_config"' in html
    assert "django_otp_webauthn/otp_webauthn_register.js" in html
    config = json.loads(page.context["passkey_config"])
    response = client.post(config["beginRegistrationUrl"], content_type="application/json")
    assert response.status_code == 200
    options = response.json()
    assert options["rp"]["name"] == "Smertespor"
    assert options["user"]["name"] == "gp"


def test_a_passkey_is_offered_after_the_password_but_never_instead_of_it(gp, gp_device):
    anonymous = Client()
    begin = reverse("otp_webauthn:credential-authentication-begin")
    assert anonymous.post(begin, content_type="application/json").status_code == 401
    client = Client()
    _login(client)
    assert client.post(begin, content_type="application/json").status_code == 200


def test_a_refused_passkey_is_audited(gp, gp_device):
    client = Client()
    _login(client)
    client.post(
        reverse("otp_webauthn:credential-authentication-begin"), content_type="application/json"
    )
    response = client.post(
        reverse("otp_webauthn:credential-authentication-complete"),
        data=json.dumps({"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {}}),
        content_type="application/json",
    )
    assert response.status_code >= 400
    failure = AuditEvent.objects.get(action="mfa_failed")
    assert failure.user == gp
    assert failure.detail["method"] == "passkey"
    assert _asked_for_the_code(client)


@pytest.mark.parametrize(
    "name",
    [
        "otp_webauthn:credential-registration-begin",
        "otp_webauthn:credential-registration-complete",
        "otp_webauthn:credential-authentication-begin",
        "otp_webauthn:credential-authentication-complete",
    ],
)
def test_every_passkey_ceremony_refuses_a_signed_out_caller_and_a_get(db, name):
    client = Client()
    assert client.post(reverse(name), content_type="application/json").status_code == 401
    assert client.get(reverse(name)).status_code == 405


def test_the_deploy_check_warns_when_logins_are_password_only(settings):
    from django.core.checks import run_checks

    settings.MFA_REQUIRED = False
    assert "smertespor.W001" in {m.id for m in run_checks(include_deployment_checks=True)}
    settings.MFA_REQUIRED = True
    assert "smertespor.W001" not in {m.id for m in run_checks(include_deployment_checks=True)}
