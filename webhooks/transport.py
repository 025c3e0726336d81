"""One POST to a webhook receiver (CONTRACT §12), bounded by a total deadline.

The URL is checked and resolved once (`addresses.destination`) and the connection goes to the
addresses that were checked; TLS still verifies the certificate against the URL's host name (sent
as SNI), and the Host header is the URL's. Redirects are never followed: a 3xx is an answer like
any other. `timeout` bounds everything from the name lookup to the first 1 KiB of the answer's
body: every read of the socket waits at most until the deadline (not a fresh timeout per read),
so a receiver that trickles its answer a byte at a time cannot hold a worker longer.
"""

import dataclasses
import functools
import http.client
import math
import socket
import ssl
import time

from django.conf import settings

from webhooks.addresses import Destination, DestinationError, destination
from webhooks.models import ATTEMPT_EXCERPT_BYTES


@dataclasses.dataclass(frozen=True)
class Answer:
    """What one request came to: the status (None when there was no answer), the first KiB of
    the body as text, the error ("" when the receiver answered in time) and the headers that
    steer what happens next."""

    status: int | None
    excerpt: str
    error: str
    duration_ms: int
    retry_after: str | None = None
    location: str | None = None


def post(url: str, headers: dict[str, str], body: bytes, timeout: float) -> Answer:
    started = time.monotonic()
    deadline = started + timeout
    connection: _PinnedHTTPConnection | _PinnedHTTPSConnection | None = None
    status = None
    response_headers: http.client.HTTPMessage | None = None
    excerpt = b""
    error = ""
    try:
        target = destination(url)
        connection = (_PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection)(
            target, deadline
        )
        connection.request("POST", target.target, body=body, headers=headers)
        response = connection.getresponse()
        status, response_headers = response.status, response.headers
        excerpt = response.read(ATTEMPT_EXCERPT_BYTES)
    except DestinationError as exc:
        error = str(exc)
    except TimeoutError:
        error = f"No complete answer within {timeout:g} s (CRM_WEBHOOK_TIMEOUT)."
    except (OSError, http.client.HTTPException, ValueError) as exc:
        error = _describe(exc)
    finally:
        if connection is not None:
            connection.close()
    return Answer(
        status=status,
        excerpt=excerpt.decode("utf-8", errors="replace").replace("\x00", "\ufffd"),
        error=error,
        duration_ms=round((time.monotonic() - started) * 1000),
        retry_after=response_headers.get("Retry-After") if response_headers else None,
        location=response_headers.get("Location") if response_headers else None,
    )


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate refused: {exc.verify_message.rstrip('.')}."
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed: {exc.reason or exc}."
    if isinstance(exc, http.client.RemoteDisconnected):
        return "The receiver closed the connection without answering."
    if isinstance(exc, http.client.HTTPException):
        return f"Not an HTTP answer: {exc!r}."
    return str(exc)


class _UntilDeadline:
    """Every read of the socket waits at most until `deadline` (time.monotonic())."""

    deadline = math.inf

    def recv_into(self, buffer, *args):
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        self.settimeout(remaining)  # type: ignore[attr-defined]
        return super().recv_into(buffer, *args)  # type: ignore[misc]


class _DeadlineSocket(_UntilDeadline, socket.socket):
    pass


class _DeadlineSSLSocket(_UntilDeadline, ssl.SSLSocket):
    pass


def _open(target: Destination, deadline: float) -> socket.socket:
    """A TCP connection to the first checked address that accepts one."""
    failures = []
    for family, sockaddr in target.addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        sock = _DeadlineSocket(family, socket.SOCK_STREAM)
        sock.deadline = deadline
        try:
            sock.settimeout(remaining)
            sock.connect(sockaddr)
        except TimeoutError:
            sock.close()
            raise
        except OSError as exc:
            sock.close()
            failures.append(f"{sockaddr[0]} port {sockaddr[1]}: {exc.strerror or exc}")
            continue
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock
    raise OSError(f"Could not connect to {target.host} ({'; '.join(failures)}).")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Destination, deadline: float):
        super().__init__(target.host, target.port, timeout=max(deadline - time.monotonic(), 0.001))
        self._target, self._deadline = target, deadline

    def connect(self) -> None:
        self.sock = _open(self._target, self._deadline)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Destination, deadline: float):
        self._tls = _tls_context(settings.CRM_WEBHOOK_CA_FILE)
        super().__init__(
            target.host, target.port, timeout=max(deadline - time.monotonic(), 0.001), context=self._tls
        )
        self._target, self._deadline = target, deadline

    def connect(self) -> None:
        sock = self._tls.wrap_socket(
            _open(self._target, self._deadline), server_hostname=self.host, do_handshake_on_connect=False
        )
        sock.deadline = self._deadline  # type: ignore[attr-defined]
        sock.settimeout(max(self._deadline - time.monotonic(), 0.001))
        sock.do_handshake()
        self.sock = sock


@functools.cache
def _tls_context(ca_file: str) -> ssl.SSLContext:
    """Certificates and host names verified as by any client: against the system's trust store,
    or `CRM_WEBHOOK_CA_FILE`'s certificates when set."""
    context = ssl.create_default_context(cafile=ca_file or None)
    context.sslsocket_class = _DeadlineSSLSocket
    return context
