"""Where a delivery may go (CONTRACT §12): outside development only https to public addresses,
with CRM_WEBHOOK_ALLOW_PRIVATE private and loopback ones too; in development anything."""

import ipaddress
import socket

import pytest

from webhooks.addresses import NEVER_ALLOWED, NOT_PUBLIC, DestinationError, destination, refused_because
from webhooks.services import URL_NOT_HTTP, URL_NOT_HTTPS

PUBLIC = ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:93.184.216.34"]
PRIVATE_OR_LOOPBACK = ["10.0.0.1", "172.16.5.4", "192.168.1.1", "127.0.0.1", "::1", "fd00::1"]
NEVER = [
    "169.254.169.254",  # link-local: the cloud metadata service
    "fe80::1",
    "224.0.0.1",
    "ff02::1",
    "0.0.0.0",
    "::",
    "240.0.0.1",
    "255.255.255.255",
]
# IPv6 addresses that carry a private IPv4 one: IPv4-mapped, 6to4 and NAT64.
EMBEDDED_PRIVATE = ["::ffff:127.0.0.1", "::ffff:10.0.0.1", "2002:7f00:1::1", "2002:a00:1::", "64:ff9b::a00:1"]
DOCUMENTATION = ["192.0.2.1", "2001:db8::1"]
# Neither public nor private: the shared address space of carrier-grade NAT.
NEITHER = ["100.64.0.1"]


@pytest.fixture
def production(settings):
    settings.IS_DEVELOPMENT = False
    settings.CRM_WEBHOOK_ALLOW_PRIVATE = False
    return settings


@pytest.fixture
def allow_private(production):
    production.CRM_WEBHOOK_ALLOW_PRIVATE = True
    return production


@pytest.mark.parametrize("address", PUBLIC)
def test_public_address_is_allowed(production, address):
    assert refused_because(ipaddress.ip_address(address)) == ""


@pytest.mark.parametrize("address", PRIVATE_OR_LOOPBACK + EMBEDDED_PRIVATE + DOCUMENTATION + NEITHER)
def test_address_that_is_not_public_is_refused(production, address):
    assert refused_because(ipaddress.ip_address(address)) == NOT_PUBLIC


@pytest.mark.parametrize("address", PRIVATE_OR_LOOPBACK + EMBEDDED_PRIVATE)
def test_allow_private_allows_private_and_loopback_addresses(allow_private, address):
    assert refused_because(ipaddress.ip_address(address)) == ""


@pytest.mark.parametrize("address", NEVER)
def test_link_local_multicast_reserved_and_unspecified_are_refused_even_with_allow_private(
    allow_private, address
):
    assert refused_because(ipaddress.ip_address(address)) == NEVER_ALLOWED


@pytest.mark.parametrize("address", NEITHER)
def test_allow_private_still_refuses_what_is_neither_public_nor_private(allow_private, address):
    assert refused_because(ipaddress.ip_address(address)) == NOT_PUBLIC


def test_http_is_refused_outside_development(production):
    with pytest.raises(DestinationError, match=URL_NOT_HTTPS.replace("(", r"\(").replace(")", r"\)")):
        destination("http://93.184.216.34/hooks")


def test_allow_private_does_not_allow_http(allow_private):
    with pytest.raises(DestinationError) as refused:
        destination("http://127.0.0.1/hooks")
    assert str(refused.value) == URL_NOT_HTTPS


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "gopher://127.0.0.1/"])
def test_other_schemes_are_refused_in_development(settings, url):
    settings.IS_DEVELOPMENT = True
    with pytest.raises(DestinationError) as refused:
        destination(url)
    assert str(refused.value) == URL_NOT_HTTP


def test_development_allows_http_to_any_address(settings):
    settings.IS_DEVELOPMENT = True
    target = destination("http://127.0.0.1:8080/hooks?team=a")
    assert (target.scheme, target.host, target.port, target.target) == (
        "http",
        "127.0.0.1",
        8080,
        "/hooks?team=a",
    )
    assert target.addresses == ((socket.AF_INET, ("127.0.0.1", 8080)),)


def test_a_name_is_refused_when_any_of_its_addresses_is_not_public(production, fake_names):
    fake_names.resolve("hooks.example.com", "93.184.216.34", "10.1.2.3")
    with pytest.raises(DestinationError) as refused:
        destination("https://hooks.example.com/in")
    assert str(refused.value).startswith(
        "hooks.example.com resolves to 10.1.2.3, which is not a public address"
    )


def test_a_name_whose_addresses_are_all_public_is_resolved_once(production, fake_names):
    fake_names.resolve("hooks.example.com", "93.184.216.34", "2606:4700:4700::1111")
    target = destination("https://hooks.example.com/in")
    assert fake_names.lookups == ["hooks.example.com"]
    assert (target.host, target.port, target.target) == ("hooks.example.com", 443, "/in")
    assert target.addresses == (
        (socket.AF_INET, ("93.184.216.34", 443)),
        (socket.AF_INET6, ("2606:4700:4700::1111", 443, 0, 0)),
    )


def test_localhost_is_refused_outside_development(production):
    with pytest.raises(DestinationError, match=r"^localhost resolves to 127\.0\.0\.1, which is not a public"):
        destination("https://localhost/hooks")


def test_an_ipv6_literal_is_checked_too(production):
    with pytest.raises(DestinationError, match=r"^::1 resolves to ::1, which is not a public address"):
        destination("https://[::1]:8443/hooks")


def test_a_name_that_does_not_resolve_is_an_error(settings, fake_names):
    settings.IS_DEVELOPMENT = True
    fake_names.resolve("gone.example.com")
    with pytest.raises(DestinationError, match=r"^gone\.example\.com could not be resolved: "):
        destination("http://gone.example.com/hooks")


def test_a_url_without_host_is_an_error(settings):
    settings.IS_DEVELOPMENT = True
    with pytest.raises(DestinationError, match="names no host"):
        destination("http:///hooks")


def test_an_international_host_name_is_looked_up_in_its_ascii_form(settings, fake_names):
    settings.IS_DEVELOPMENT = True
    fake_names.resolve("xn--bcher-kva.example", "127.0.0.1")
    assert destination("http://bücher.example/hooks").host == "xn--bcher-kva.example"


def test_a_path_a_request_line_cannot_carry_is_percent_encoded(settings):
    settings.IS_DEVELOPMENT = True
    target = destination("http://127.0.0.1/hooks/équipe a?x=ü&y=%41")
    assert target.target == "/hooks/%C3%A9quipe%20a?x=%C3%BC&y=%41"
