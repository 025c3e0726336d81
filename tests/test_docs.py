"""The documents a client team reads are self-contained: the README and docs/ link only to files
(and headings) that exist in this repository, never send the reader outside it, and the README
leads to every document in docs/."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
DOCUMENTS = [README, *DOCS]

_FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_EXTERNAL = ("http://", "https://", "mailto:")


def prose(path: Path) -> str:
    """The document without code blocks and code spans, where brackets are not links."""
    return _CODE_SPAN.sub("", _FENCE.sub("", path.read_text()))


def links(path: Path) -> list[str]:
    return _LINK.findall(prose(path))


def anchors(path: Path) -> set[str]:
    """The heading anchors GitHub generates: lower case, punctuation dropped, spaces to hyphens,
    a repeated heading numbered."""
    found: set[str] = set()
    for heading in _HEADING.findall(_FENCE.sub("", path.read_text())):
        slug = re.sub(r"[^\w\- ]", "", heading.replace("`", "").lower()).replace(" ", "-")
        candidate, n = slug, 0
        while candidate in found:
            n += 1
            candidate = f"{slug}-{n}"
        found.add(candidate)
    return found


def relative_links() -> list[tuple[Path, str]]:
    return [(doc, link) for doc in DOCUMENTS for link in links(doc) if not link.startswith(_EXTERNAL)]


def test_there_are_documents_to_check():
    assert README.exists()
    assert DOCS


@pytest.mark.parametrize(
    ("document", "link"), relative_links(), ids=lambda value: getattr(value, "name", value)
)
def test_every_relative_link_points_to_an_existing_file_and_heading(document, link):
    target, _, fragment = link.partition("#")
    path = (document.parent / target).resolve() if target else document
    assert path.exists(), f"{document.relative_to(ROOT)} links to missing {target}"
    assert path.is_relative_to(ROOT), f"{document.relative_to(ROOT)} links outside the repository"
    if fragment and path.suffix == ".md":
        assert fragment in anchors(path), f"{document.relative_to(ROOT)}: no heading #{fragment} in {target}"


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_no_document_sends_the_reader_outside_the_repository(document):
    text = document.read_text()
    assert "../shared" not in text
    assert "CONTRACT.md" not in text


def test_the_readme_links_every_document_in_docs():
    linked = {(ROOT / link.partition("#")[0]).resolve() for link in links(README)}
    assert [doc.name for doc in DOCS if doc.resolve() not in linked] == []


@pytest.mark.parametrize(
    "table", ["endpoints", "headers", "ticket-body", "comment-body", "query-parameters", "messages"]
)
def test_the_api_reference_has_one_place_for_each_generated_table(table):
    text = (ROOT / "docs" / "api.md").read_text()
    begin, end = f"<!-- BEGIN GENERATED: {table} -->", f"<!-- END GENERATED: {table} -->"
    assert text.count(begin) == text.count(end) == 1
    assert text.index(begin) < text.index(end)
