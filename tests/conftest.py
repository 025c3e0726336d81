"""Fixtures only: helpers live in `tests/support/`, factories in `tests/factories.py`."""

import socket

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from tests.factories import IssueTypeFactory, TicketFactory, UserFactory
from tests.support.client import CrmClient
from tests.support.clock import FrozenClock
from tests.support.endpoints import CONTACT
from tests.support.names import FakeNames
from tests.support.shared_cache import own_key_prefix
from tests.support.smtp_server import SmtpServer, point_email_at
from tests.support.tokens import RsaKeyPair, rsa_key_pair
from tests.support.webhook_receiver import WebhookReceiver
from tickets.services import SUPERVISOR_GROUP, SUPPORT_AGENT_GROUP


@pytest.fixture
def api(client) -> CrmClient:
    return CrmClient(client)


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Throttle counters start at zero in every test, in a private local-memory cache: never a
    Redis that REDIS_URL may name (clearing it would flush everyone's keys)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()


@pytest.fixture(autouse=True)
def attachment_root(settings, tmp_path):
    """Every test stores attachments in a directory of its own, never in the project's var/."""
    root = tmp_path / "attachments"
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root},
        },
    }
    return root


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Staff users are made in many tests; PBKDF2's deliberate slowness only costs time here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_runtest_setup(item):
    """Tests marked `postgres` skip, with the reason, on any other database."""
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...): it proves what only PostgreSQL does")


@pytest.fixture
def rs256(tmp_path, settings) -> RsaKeyPair:
    """RS256 verification configured with a fresh key pair's public key file (CONTRACT §4)."""
    keys = rsa_key_pair()
    public_key_file = tmp_path / "public.pem"
    public_key_file.write_bytes(keys.public_pem)
    settings.CRM_JWT_PUBLIC_KEY_FILE = str(public_key_file)
    settings.CRM_JWT_ALGORITHM = "RS256"
    return keys


@pytest.fixture
def ticket(db):
    return TicketFactory()


@pytest.fixture
def own_ticket(db):
    """Ticket TT1130 of the contact the default token names."""
    return TicketFactory(ticket_number=1130, contact_number=CONTACT)


@pytest.fixture
def issue_types(db):
    return [IssueTypeFactory(name="General Enquiry"), IssueTypeFactory(name="Plan Enquiry")]


@pytest.fixture
def dana(db):
    """Staff user Dana Reyes, in no group."""
    return UserFactory(username="dana", first_name="Dana", last_name="Reyes")


@pytest.fixture
def support_agent(dana):
    """`dana` in the `Support agent` group (migration 0003), as `create_agent` makes agents."""
    dana.groups.add(Group.objects.get(name=SUPPORT_AGENT_GROUP))
    return dana


@pytest.fixture
def supervisor(db):
    """Staff user Sam Okafor in the `Supervisor` group (migration 0011), who manages the desk's
    settings such as canned replies."""
    sam = UserFactory(username="sam", first_name="Sam", last_name="Okafor")
    sam.groups.add(Group.objects.get(name=SUPERVISOR_GROUP))
    return sam


@pytest.fixture
def supervisor_client(client, supervisor):
    """Django's test client logged in to the admin as `supervisor`."""
    client.force_login(supervisor)
    return client


@pytest.fixture
def agent_client(client, support_agent):
    """Django's test client logged in to the admin as `support_agent`."""
    client.force_login(support_agent)
    return client


@pytest.fixture
def clock(monkeypatch) -> FrozenClock:
    """`timezone.now()` frozen at `tests.support.clock.NOW`; `clock.at(moment)` moves it."""
    frozen = FrozenClock()
    monkeypatch.setattr(timezone, "now", lambda: frozen.now)
    return frozen


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free loopback port (tests/support/smtp_server.py), running, with
    Django's SMTP backend pointed at it (plain SMTP, no login). `smtp_server.stop()` takes it
    down; `start()` brings it back on the same port."""
    server = SmtpServer()
    point_email_at(settings, server)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def webhook_receiver():
    """A real HTTP receiver on a free loopback port (tests/support/webhook_receiver.py): answers
    200 unless scripted, records every request."""
    receiver = WebhookReceiver()
    yield receiver
    receiver.stop()


@pytest.fixture
def fake_names(monkeypatch) -> FakeNames:
    """Host names the test makes up resolve as it says (tests/support/names.py); others as usual."""
    names = FakeNames()
    monkeypatch.setattr(socket, "getaddrinfo", names.getaddrinfo)
    return names


@pytest.fixture
def redis_prefix():
    """A key prefix of our own on the local Redis; its keys are removed afterwards."""
    with own_key_prefix() as prefix:
        yield prefix
