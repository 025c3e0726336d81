"""The limits of the reverse proxy in front of gunicorn (deploy/nginx/edge.conf), written once.

nginx states them in its own syntax (tests/crmapi/test_edge_error_pages.py checks they agree), its
error envelopes state them (crmapi/edge_errors.py), and gunicorn.conf.py sets gunicorn's limits
just above them, so gunicorn never refuses with a page of its own what nginx let through. Imports
nothing, so that gunicorn.conf.py can.
"""

HEADER_BUFFER_KIB = 8  # large_client_header_buffers' size: the request line, each header line
HEADER_BUFFERS = 4  # large_client_header_buffers' number: all header lines together
HEADERS_MAX_KIB = HEADER_BUFFERS * HEADER_BUFFER_KIB

# The longest request line nginx passes on: a buffer less its CRLF.
REQUEST_LINE_MAX_BYTES = HEADER_BUFFER_KIB * 1024 - 2
# The most header lines nginx can pass on: every buffer (and the first 1 KiB one) full of `a:` lines,
# plus the few nginx sets itself.
HEADER_LINES_MAX = (HEADERS_MAX_KIB + 1) * 1024 // len("a:\r\n") + 16
