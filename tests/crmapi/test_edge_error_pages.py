"""The reverse proxy's own answers (crmapi/edge_errors.py, deploy/nginx/): the committed error
envelopes are what the code renders, nginx serves one for each status it answers itself, and its
limits are the ones the messages state."""

import re

from django.core.management import call_command

from crmapi import limits, uploads
from crmapi.edge_errors import ERROR_PAGES_DIR, error_pages
from crmapi.edge_limits import HEADER_BUFFER_KIB, HEADER_BUFFERS

EDGE_CONF = (ERROR_PAGES_DIR.parent / "edge.conf").read_text()


def test_committed_error_pages_are_what_the_code_renders():
    """After changing an edge message or limit: `manage.py edge_error_pages`."""
    committed = {path.name: path.read_bytes() for path in ERROR_PAGES_DIR.glob("*.json")}
    assert committed == error_pages()


def test_edge_error_pages_command_writes_every_page_and_removes_stale_ones(tmp_path):
    (tmp_path / "418.json").write_text("{}")
    call_command("edge_error_pages", str(tmp_path), stdout=None)
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == error_pages()


def test_nginx_answers_each_of_its_statuses_with_its_page():
    pages = {}
    for codes, override, page in re.findall(
        r"^error_page ([\d ]+?) (?:=(\d+) )?/_edge_errors/(\S+);", EDGE_CONF, re.M
    ):
        for code in codes.split():
            pages[code] = page
            assert page == f"{override or code}.json"
    assert set(pages.values()) == set(error_pages())


def directive(name: str) -> str:
    """The value of edge.conf's one top-level `name` directive."""
    found = re.search(rf"^{name} ([^;]+);", EDGE_CONF, re.M)
    assert found, name
    return found.group(1)


def test_nginxs_header_buffers_are_the_stated_limits():
    assert directive("large_client_header_buffers") == f"{HEADER_BUFFERS} {HEADER_BUFFER_KIB}k"


def test_nginxs_body_limit_is_the_contracts():
    assert directive("client_max_body_size") == f"{limits.BODY_MAX_MIB}m"


def test_nginxs_upload_limit_holds_the_largest_e8_body_of_the_default_settings():
    """E8's location lets through every upload the app could accept (it refuses the rest with
    its own 413); a larger CRM_ATTACHMENT_MAX_BYTES needs this value raised too."""
    found = re.search(
        r"location ~ \^/crm/v1/ticket/attachment/\?\$ \{\s*client_max_body_size (\d+)m;", EDGE_CONF
    )
    assert found
    assert int(found.group(1)) * 1024 * 1024 >= uploads.body_max_bytes()
