"""A real SMTP server on loopback (aiosmtpd) that keeps every message it accepts, optionally with
STARTTLS and AUTH behind a self-signed certificate made in the test (nothing is downloaded)."""

import datetime
import email
import email.policy
import ipaddress
import logging
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HOST = "127.0.0.1"

# aiosmtpd logs every SMTP command at INFO; the tests read what was received instead.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    """A port nothing listens on now (the kernel's pick, released at once)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Received:
    """One accepted message: the envelope as SMTP gave it, and the message as parsed."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def body(self) -> str:
        return self.message.get_content().replace("\r\n", "\n")


@dataclass(frozen=True)
class Certificate:
    """A self-signed certificate for 127.0.0.1: `cert` (PEM, also the CA to trust) and `key`."""

    cert: Path
    key: Path


def self_signed_certificate(directory: Path) -> Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    found = Certificate(cert=directory / "smtp-cert.pem", key=directory / "smtp-key.pem")
    found.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    found.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return found


class SmtpServer:
    """aiosmtpd on `HOST:port` in its own thread; `received` lists what it accepted.

    The port is chosen when the server is made, so a test can point the settings at a server
    that is not started yet (mail server down) and start it later on the same port. With
    `certificate` and `login` it offers STARTTLS and requires it, then requires AUTH with that
    user and password (`logins` records who logged in).
    """

    def __init__(self, *, certificate: Certificate | None = None, login: tuple[str, str] | None = None):
        self.port = free_port()
        self.received: list[Received] = []
        self.logins: list[str] = []
        self._certificate = certificate
        self._login = login
        self._controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if not isinstance(auth_data, LoginPassword) or self._login is None:
            return AuthResult(success=False, handled=False)
        user, password = auth_data.login.decode(), auth_data.password.decode()
        if (user, password) != self._login:
            return AuthResult(success=False, handled=False)
        self.logins.append(user)
        return AuthResult(success=True)

    def start(self) -> None:
        options: dict = {}
        if self._certificate is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self._certificate.cert, self._certificate.key)
            options.update(tls_context=context, require_starttls=True)
        if self._login is not None:
            options.update(auth_required=True, auth_require_tls=True, authenticator=self._authenticate)
        self._controller = Controller(self, hostname=HOST, port=self.port, **options)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def point_email_at(
    settings, server: SmtpServer, *, tls: bool = False, login: tuple[str, str] = ("", "")
) -> None:
    """Django's SMTP backend configured for `server`, as the environment configures it in
    production (`settings` is pytest-django's fixture, undone after the test)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = HOST, server.port, 5
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = login
    settings.EMAIL_USE_TLS, settings.EMAIL_USE_SSL = tls, False
