"""A real HTTP server on loopback that plays a webhook receiver: a test scripts its answers and
reads back every request the worker made, headers and body byte for byte.

    with WebhookReceiver() as receiver:              # 127.0.0.1, a free port, in a thread
        receiver.script(Reply(500), Reply(200))      # the next answers, in order
        endpoint = WebhookEndpointFactory(url=receiver.url)
        ...                                          # deliver
        first, second = receiver.wait_for(2)         # ReceivedRequest items

- `Reply(status=200, headers={}, body=b"ok", delay=0.0, trickle=0.0)`: `delay` seconds pass
  before the status line (a slow receiver); `trickle` seconds pass between each byte of the body
  (headers at once, then a body too slow to finish: only a total deadline stops it).
- `script(*replies)` queues answers; once the queue is empty every request gets `default`
  (`Reply(200)` unless set). `redirect(location, status=302)` builds a redirect reply.
- `requests` is a copy of the requests so far; `wait_for(count, timeout=5)` waits until at least
  `count` have arrived (a worker in another thread or process) and returns them. A request is
  recorded as soon as its body is read, before the delay, so a timed-out attempt is seen too.
- `url` is `http://127.0.0.1:<port>/webhook` (`https://localhost:<port>/webhook` with
  `ssl_context=`, a server-side context holding the receiver's certificate); `path=` changes the
  path. `stop()` (or leaving the `with`) shuts it down, cutting short any delay in progress;
  `url` then names a port where nobody listens (connections are refused).
- Errors inside the server (a client that rejects the certificate, a dropped connection) are kept
  in `errors` instead of printed.
"""

import dataclasses
import http.server
import queue
import socket
import ssl
import sys
import threading
import time


@dataclasses.dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    body: bytes = b"ok"
    delay: float = 0.0
    trickle: float = 0.0


def redirect(location: str, status: int = 302) -> Reply:
    return Reply(status, headers={"Location": location}, body=b"")


@dataclasses.dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    # Header names in lower case; `header_items` keeps them as sent, repeats included.
    headers: dict[str, str]
    header_items: list[tuple[str, str]]
    body: bytes
    received_at: float  # time.time()


class WebhookReceiver:
    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        path: str = "/webhook",
        ssl_context: ssl.SSLContext | None = None,
    ):
        self.path = path
        self.default = Reply()
        self.errors: list[BaseException] = []
        self._replies: queue.SimpleQueue[Reply] = queue.SimpleQueue()
        self._requests: list[ReceivedRequest] = []
        self._arrived = threading.Condition()
        self._stopping = threading.Event()
        self._ssl_context = ssl_context
        self._server = _Server((host, port), _Handler, self)
        self.host, self.port = self._server.server_address[:2]
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="webhook-receiver", daemon=True
        )
        self._thread.start()

    # --- what a test uses -------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self._ssl_context is not None:
            return f"https://localhost:{self.port}{self.path}"
        return f"http://{self.host}:{self.port}{self.path}"

    def script(self, *replies: Reply) -> None:
        for reply in replies:
            self._replies.put(reply)

    @property
    def requests(self) -> list[ReceivedRequest]:
        with self._arrived:
            return list(self._requests)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedRequest]:
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self._requests) >= count, timeout):
                arrived = len(self._requests)
                raise AssertionError(f"{arrived} request(s) arrived within {timeout} s, not {count}")
            return list(self._requests)

    def stop(self) -> None:
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "WebhookReceiver":
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # --- what the server thread uses ----------------------------------------------------------

    def _record(self, request: ReceivedRequest) -> None:
        with self._arrived:
            self._requests.append(request)
            self._arrived.notify_all()

    def _next_reply(self) -> Reply:
        try:
            return self._replies.get_nowait()
        except queue.Empty:
            return self.default

    def _pause(self, seconds: float) -> bool:
        """Sleep unless the receiver stops meanwhile; False when it did."""
        return not self._stopping.wait(seconds)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, handler, receiver: WebhookReceiver):
        self.receiver = receiver
        super().__init__(address, handler)

    def get_request(self) -> tuple[socket.socket, object]:
        connection, address = super().get_request()
        context = self.receiver._ssl_context
        if context is not None:
            # The handshake happens in the request's own thread (`_Handler.setup`), so one slow
            # or failing client never holds up the accept loop.
            connection = context.wrap_socket(connection, server_side=True, do_handshake_on_connect=False)
        return connection, address

    def handle_error(self, request, client_address) -> None:
        error = sys.exc_info()[1]
        if error is not None:
            self.receiver.errors.append(error)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        self.request.settimeout(10)
        if isinstance(self.request, ssl.SSLSocket):
            self.request.do_handshake()
        super().setup()

    def log_message(self, format: str, *args) -> None:
        """Quiet: the test reads `requests`, not the server's access log."""

    def _answer(self) -> None:
        receiver = self.server.receiver
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        receiver._record(
            ReceivedRequest(
                method=self.command,
                path=self.path,
                headers={name.lower(): value for name, value in self.headers.items()},
                header_items=list(self.headers.items()),
                body=body,
                received_at=time.time(),
            )
        )
        reply = receiver._next_reply()
        if reply.delay and not receiver._pause(reply.delay):
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if not reply.trickle:
            self.wfile.write(reply.body)
            return
        for index in range(len(reply.body)):
            self.wfile.write(reply.body[index : index + 1])
            self.wfile.flush()
            if not receiver._pause(reply.trickle):
                return

    do_POST = do_GET = do_PUT = _answer
