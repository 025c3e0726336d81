"""Shared fixtures: an API client that sends the contract's headers, tokens, and factories."""

import io
import json
import time
from dataclasses import dataclass

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command

from tests.factories import IssueTypeFactory, TicketFactory, UserFactory
from tickets.management.commands.issue_token import mint_token
from tickets.services import SUPPORT_AGENT_GROUP

POSTGRESQL = "django.db.backends.postgresql"
CONTACT = 649797
OTHER_CONTACT = 24218


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    operation: str
    token_required: bool = True


E1 = Endpoint("get", "/crm/v1/ticket/details", "ticketDetail")
E2 = Endpoint("get", "/crm/v1/ticket/issues", "issueTypes")
E3 = Endpoint("post", "/crm/v1/social/ticket", "create", token_required=False)
E4 = Endpoint("post", "/crm/v1/ticket/comment", "addTicketComment")
E5 = Endpoint("post", "/crm/v1/ticket", "create")
E6 = Endpoint("get", "/crm/v1/ticket/comments", "ticketComments")
E7 = Endpoint("get", "/crm/v1/ticket", "ticketRecord")
ENDPOINTS = {"E1": E1, "E2": E2, "E3": E3, "E4": E4, "E5": E5, "E6": E6, "E7": E7}
DOCUMENTED_ENDPOINTS = [E1, E2, E3, E4, E5]  # the document's own five; E6 and E7 are §10's additions

# CONTRACT §3: the mandatory headers besides `token`, in the order they are checked.
MANDATORY_HEADERS = ["correlationId", "source", "srDate", "operation", "destination"]

# The document's example body (E3, E5), with a real effective date.
TICKET_BODY = {
    "source": "app",
    "ticketstatus": "Open",
    "effectivedate": "2021-09-11",
    "ticketcategories": "Plan change",
    "ticket_title": "Plan change",
    "description": "Plan change request for ",
    "subcategory": "sub1",
    "status": "New",
    "category": "cat1",
    "vouchertype": "",
    "voucheridformat": "",
    "passwordpattern": "",
}


def valid_body(endpoint: Endpoint, ticket_no: str = "TT1130") -> dict | None:
    """A valid body for `endpoint`: the document's ticket (E3, E5), a comment of the default
    contact on `ticket_no` (E4), none for a read."""
    if endpoint is E4:
        return {"ticketNo": ticket_no, "comment": "Still waiting.", "contactId": str(CONTACT)}
    return TICKET_BODY if endpoint in (E3, E5) else None


def token_for(contact: int = CONTACT, ttl: int = 3600) -> str:
    return mint_token(contact=contact, ttl=ttl)


def claims(contact: int = CONTACT, **overrides) -> dict:
    """Valid claims for `contact`, good for ten minutes; an override of None drops that claim."""
    now = int(time.time())
    values = {"sub": str(contact), "iat": now, "exp": now + 600, **overrides}
    return {name: value for name, value in values.items() if value is not None}


def hs256(payload: dict, secret: str | None = None, algorithm: str = "HS256") -> str:
    """`payload` signed with `secret`, by default the test settings' own."""
    return jwt.encode(payload, secret or django_settings.CRM_JWT_SECRET, algorithm=algorithm)


def contract_headers(
    endpoint: Endpoint, *, contact: int = CONTACT, token: str | None = None
) -> dict[str, str]:
    """Every mandatory header of `endpoint`, valid, as the document's examples send them.
    A token is minted only when none is given (an RS256 test signs its own)."""
    headers = {
        "correlationId": "123e4567-e89b-12d3-a456-426614174000",
        "source": "Selfcare",
        "srDate": "11-09-2021",
        "operation": endpoint.operation,
        "destination": "CRM",
    }
    if endpoint.token_required:
        headers = {"token": token or token_for(contact), **headers}
    return headers


class CrmClient:
    """Django's test client with the contract's headers; `headers` overrides them, a value of
    None removes one. `body` is sent as JSON unless `raw` (bytes/str) is given; `environ` adds
    WSGI variables (e.g. REMOTE_ADDR)."""

    def __init__(self, client):
        self.client = client

    def call(
        self,
        endpoint: Endpoint,
        *,
        body=None,
        raw=None,
        query: dict | None = None,
        headers: dict | None = None,
        contact: int = CONTACT,
        content_type: str = "application/json",
        method: str | None = None,
        environ: dict | None = None,
    ):
        sent = contract_headers(endpoint, contact=contact, token=(headers or {}).get("token"))
        for name, value in (headers or {}).items():
            if value is None:
                sent.pop(name, None)
            else:
                sent[name] = value
        kwargs = {"headers": sent, **(environ or {})}
        if query:
            kwargs["query_params"] = query
        method = method or endpoint.method
        if method in ("post", "put", "patch") or raw is not None or body is not None:
            data = raw if raw is not None else json.dumps(body if body is not None else {})
            kwargs["data"] = data
            kwargs["content_type"] = content_type
        return getattr(self.client, method)(endpoint.path, **kwargs)


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
def _fast_password_hashing(settings):
    """Staff users are made in many tests; PBKDF2's deliberate slowness only costs time here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_runtest_setup(item):
    """Tests marked `postgres` skip, with the reason, on any other database."""
    if item.get_closest_marker("postgres") and django_settings.DATABASES["default"]["ENGINE"] != POSTGRESQL:
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...): it proves what only PostgreSQL does")


def envelope_result(response):
    """The `result` of a success envelope, asserting the envelope's shape on the way."""
    payload = response.json()
    assert list(payload) == ["response"]
    assert payload["response"]["success"] == "true", payload
    return payload["response"]["result"]


def envelope_error(response) -> dict:
    """The `arguments` of an error envelope; asserts statusCode equals the HTTP status."""
    payload = response.json()
    assert payload["response"]["success"] == "false", payload
    arguments = payload["response"]["result"]["arguments"]
    assert arguments["statusCode"] == str(response.status_code)
    return arguments


def assert_error(response, status: int, message: str, error_code: str | None = None) -> None:
    """An error envelope of `status` saying `message` (and, when given, carrying `error_code`)."""
    assert response.status_code == status
    error = envelope_error(response)
    assert error["errorMessage"] == message
    if error_code is not None:
        assert error["errorCode"] == error_code


def run_command(name: str, *args: str) -> str:
    """What management command `name` writes to stdout."""
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


@dataclass(frozen=True)
class RsaKeyPair:
    private_pem: bytes
    public_pem: bytes


def rsa_key_pair() -> RsaKeyPair:
    """A fresh RSA key pair, generated in the test (nothing is downloaded or committed)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return RsaKeyPair(
        private_pem=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        public_pem=key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
    )


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
def agent_client(client, support_agent):
    """Django's test client logged in to the admin as `support_agent`."""
    client.force_login(support_agent)
    return client
