"""The page at / (where the desk's "View site" link leads): where the API docs, the desk and
the probes are, in plain HTML that loads nothing from anywhere."""

import re

import pytest

pytestmark = pytest.mark.django_db

LINKS = ["/api/docs/", "/api/redoc/", "/api/schema/", "/admin/", "/healthz", "/readyz"]


def links(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


def test_landing_page_answers_with_html(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_landing_page_links_the_docs_the_desk_and_the_probes(client):
    assert set(LINKS) <= set(links(client.get("/").content.decode()))


@pytest.mark.parametrize("href", LINKS)
def test_every_link_of_the_landing_page_answers(client, href):
    assert client.get(href).status_code in (200, 302)  # the desk sends a visitor to its login


def test_landing_page_loads_nothing_from_outside(client):
    html = client.get("/").content.decode()
    assert "<script" not in html
    assert not re.search(r'(?:src|href)="(?:[a-z]+:)?//', html)
    assert [href for href in links(html) if not href.startswith("/") and href != "data:,"] == []


def test_the_desks_view_site_link_leads_to_the_landing_page(admin_client):
    page = admin_client.get("/admin/").content.decode()
    assert re.search(r'<a href="/">View site</a>', page)
