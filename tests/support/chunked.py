"""A POST whose body goes out chunked (`Transfer-Encoding: chunked`, no `Content-Length`), for the
tests of a real server's reading of it."""

import http.client

from tests.support.client import contract_headers
from tests.support.endpoints import E3, Endpoint

CHUNK = 64 * 1024


def post_chunked(port: int, body: bytes, endpoint: Endpoint = E3) -> tuple[int, str | None, bytes]:
    """(status, Content-Type, body) of `body` sent to `endpoint` in 64 KiB chunks."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    chunks = (body[start : start + CHUNK] for start in range(0, len(body), CHUNK))
    try:
        headers = {**contract_headers(endpoint), "Content-Type": "application/json"}
        connection.request("POST", endpoint.path, body=chunks, headers=headers, encode_chunked=True)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        connection.close()
