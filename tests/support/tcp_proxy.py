"""A TCP proxy in a thread that a test can cut and restore: the network between the service and
its PostgreSQL server fails on demand, while the shared server itself keeps running.

- `cut("refuse")`: every open connection is closed and new ones are refused, as when the
  database server is down.
- `cut("blackhole")`: every open connection is closed and new ones are accepted but never
  answered, as when the server hangs or a firewall drops packets: only a connect timeout helps.
- `restore()`: new connections reach the server again.

`python -m tests.support.tcp_proxy LISTEN_HOST LISTEN_PORT TARGET_HOST TARGET_PORT` runs one as a plain
forwarder until killed (tests/crmtickets/test_store_silent_network.py starts one inside a network namespace).
"""

import contextlib
import socket
import threading

REFUSE = "refuse"
BLACKHOLE = "blackhole"


class CuttableProxy:
    def __init__(self, target: tuple[str, int], *, host: str = "127.0.0.1", port: int = 0):
        self.target = target
        self.host = host
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._mode = "up"
        self._listener = self._listen(port)
        self.port = self._listener.getsockname()[1]
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, name="cuttable-proxy", daemon=True)
        self._thread.start()

    # --- control ----------------------------------------------------------------------------

    def cut(self, mode: str) -> None:
        assert mode in (REFUSE, BLACKHOLE)
        with self._lock:
            self._mode = mode
            if mode == REFUSE:
                self._listener.close()
            self._close_open()

    def restore(self) -> None:
        with self._lock:
            if self._mode == REFUSE:
                self._listener = self._listen(self.port)
            self._mode = "up"
            self._close_open()  # connections held by a blackhole

    def stop(self) -> None:
        self._stopped.set()
        with self._lock:
            self._listener.close()
            self._close_open()
        self._thread.join(timeout=5)

    # --- plumbing ---------------------------------------------------------------------------

    def _listen(self, port: int) -> socket.socket:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, port))
        listener.listen(64)
        listener.settimeout(0.1)
        return listener

    def _close_open(self) -> None:
        for sock in self._open:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._open.clear()

    def _accept_loop(self) -> None:
        while not self._stopped.is_set():
            with self._lock:
                listener, mode = self._listener, self._mode
            try:
                client, _ = listener.accept()
            except OSError:  # a 0.1 s timeout, or the listener was closed by cut()
                if mode == REFUSE:
                    self._stopped.wait(0.05)
                continue
            self._admit(client)

    def _admit(self, client: socket.socket) -> None:
        with self._lock:
            if self._mode == BLACKHOLE:
                self._open.add(client)  # held open, never answered
                return
            self._open.add(client)
        try:
            upstream = socket.create_connection(self.target, timeout=3)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)
        client.settimeout(None)
        with self._lock:
            self._open.add(upstream)
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):  # cut() or the other side closed the connection
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_RDWR)


if __name__ == "__main__":
    import sys
    import time

    listen_host, listen_port, target_host, target_port = sys.argv[1:5]
    CuttableProxy((target_host, int(target_port)), host=listen_host, port=int(listen_port))
    while True:
        time.sleep(3600)
