"""The API docs in a real browser with the network cut: Swagger UI and Redoc render from
the service's own files, and Swagger UI's "Try it out" calls the service with an issue_token token.

Every request to another host that reaches the network is aborted and recorded; the tests fail if
there was any. (Redoc's Redocly logo never gets that far: the page's Content-Security-Policy
makes the browser refuse it, see crmapi/openapi/views.py.)
"""

import pytest

from tests.support.chromium import BROWSER_TEST_MARKS, chromium_page
from tests.support.endpoints import ENDPOINTS
from tests.support.tokens import token_for

pytestmark = BROWSER_TEST_MARKS


@pytest.fixture
def offline_page(live_server):
    """A page whose requests may reach only the live server; yields (page, requests refused)."""
    refused: list[str] = []

    def only_the_service(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    with chromium_page() as page:
        page.route("**/*", only_the_service)
        yield page, refused


def test_swagger_ui_renders_offline_and_try_it_out_calls_the_service(issue_types, live_server, offline_page):
    from playwright.sync_api import expect

    page, refused = offline_page
    page.goto(f"{live_server.url}/api/docs/")
    # Every path is described twice: as written and with a trailing slash (CONTRACT §1).
    expect(page.locator(".opblock")).to_have_count(2 * len(ENDPOINTS))

    page.locator(".auth-wrapper button.authorize").click()
    page.locator(".modal-ux input").fill(token_for())
    page.locator(".modal-ux button.authorize").click()
    page.locator(".modal-ux button.btn-done").click()

    operation = page.locator(".opblock", has=page.locator("[data-path='/crm/v1/ticket/issues']"))
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("button.execute").click()

    live = operation.locator(".live-responses-table .response")
    expect(live.locator(".response-col_status")).to_contain_text("200")
    expect(live.locator(".response-col_description")).to_contain_text("General Enquiry")
    assert refused == []


def test_redoc_renders_offline(live_server, offline_page):
    from playwright.sync_api import expect

    page, refused = offline_page
    page.goto(f"{live_server.url}/api/redoc/")
    # The first of two: the trailing-slash form of the path has the same summary, marked as such.
    heading = page.get_by_role("heading", name="E4 · Add a comment to one of the contact's tickets").first
    expect(heading).to_be_visible()
    assert refused == []
