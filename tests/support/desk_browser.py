"""The desk's ticket page as a browser shows it (admin/tickets/ticket/change_form.html): what an
agent must see without scrolling."""

from desk.forms import ReplyAction

REPLY_TEXT = "#id_comments-2-0-text"  # the reply box's message


def expect_reply_box_in_view(page) -> None:
    """The reply box and every reply button fully inside the window as the page opens (the
    buttons in the action bar stuck to its bottom)."""
    from playwright.sync_api import expect

    expect(page.locator(REPLY_TEXT)).to_be_in_viewport(ratio=1)
    for action in ReplyAction:
        expect(page.get_by_role("button", name=action.label, exact=True)).to_be_in_viewport(ratio=1)
    expect(page.get_by_role("button", name="Save", exact=True)).to_be_in_viewport(ratio=1)
