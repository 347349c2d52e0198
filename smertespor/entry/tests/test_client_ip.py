"""The client's address behind a reverse proxy: believed only from trusted proxies."""

import pytest
from django.test import RequestFactory

from smertespor.entry.client_ip import client_ip, parse_address

PROXY = "10.0.0.5"


def _request(remote_addr, forwarded_for=None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **extra)


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]


def test_without_trusted_proxies_the_peer_is_the_client(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request("198.51.100.7", "203.0.113.9")) == "198.51.100.7"


def test_a_trusted_proxy_names_the_client(behind_proxy):
    assert client_ip(_request(PROXY, "198.51.100.7")) == "198.51.100.7"


def test_a_spoofed_header_from_an_untrusted_peer_is_ignored(behind_proxy):
    assert client_ip(_request("198.51.100.7", "10.0.0.9, 203.0.113.9")) == "198.51.100.7"


def test_what_the_client_wrote_before_the_proxy_appended_its_peer_is_ignored(behind_proxy):
    # The client sent "X-Forwarded-For: 203.0.113.9"; the proxy appended the real peer.
    assert client_ip(_request(PROXY, "203.0.113.9, 198.51.100.7")) == "198.51.100.7"


def test_a_chain_of_trusted_proxies_is_walked_to_the_client(behind_proxy):
    assert client_ip(_request(PROXY, "198.51.100.7, 10.0.0.8")) == "198.51.100.7"


def test_garbage_in_the_header_stops_at_the_nearest_proxy(behind_proxy):
    assert client_ip(_request(PROXY, "not-an-address")) == PROXY
    assert client_ip(_request(PROXY, "")) == PROXY
    assert client_ip(_request(PROXY, "\x00, 10.0.0.8")) == "10.0.0.8"


def test_a_peer_that_is_no_address_gives_none(behind_proxy):
    assert client_ip(_request("", "198.51.100.7")) is None


@pytest.mark.parametrize(
    ("raw", "address"),
    [
        (" 198.51.100.7 ", "198.51.100.7"),
        ("198.51.100.7:4431", "198.51.100.7"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("2001:db8::1", "2001:db8::1"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("unknown", None),
        ("", None),
    ],
)
def test_addresses_are_read_with_or_without_a_port(raw, address):
    parsed = parse_address(raw)
    assert (str(parsed) if parsed else None) == address


@pytest.mark.parametrize(
    ("remote_addr", "forwarded_for", "logged"),
    [
        (PROXY, "198.51.100.7", "198.51.100.7"),  # through the proxy: the client
        ("203.0.113.9", "198.51.100.7", "203.0.113.9"),  # straight in, spoofed: the peer
    ],
)
def test_the_audit_row_names_the_client_behind_the_proxy(
    behind_proxy, gp, patient, remote_addr, forwarded_for, logged
):
    from django.test import Client
    from django.urls import reverse

    from smertespor.audit.models import AuditEvent

    client = Client(REMOTE_ADDR=remote_addr, HTTP_X_FORWARDED_FOR=forwarded_for)
    client.force_login(gp, backend="smertespor.accounts.backends.UserBackend")
    assert client.get(reverse("patients:detail", args=[patient.pk])).status_code == 200
    row = AuditEvent.objects.get(action="view", patient=patient)
    assert row.ip_address == logged
