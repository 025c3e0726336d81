"""The layers of docs/architecture.md, enforced: every import of every module is read (with `ast`,
so imports inside functions count too) and checked against what its layer may import.

- `tickets` (the domain) knows nothing of HTTP or of the layers built on it.
- `crmapi` (the /crm/v1/ contract) and `desk` (the support desk) build on the domain, never on
  each other.
- A feature app (any other top-level package with an `apps.py`: webhooks, attachments, ...)
  builds on the domain only; the contract and the desk may use it; the domain imports none.
- No app imports the project package `crmtickets` (settings are read through `django.conf`).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

DOMAIN = "tickets"
PROJECT = "crmtickets"
APPS = sorted(path.parent.name for path in ROOT.glob("*/apps.py"))
HTTP = ("rest_framework", "drf_spectacular", "corsheaders", "django.http", "django.urls")


CONTRACT, DESK = "crmapi", "desk"


def forbidden_for(layer: str) -> tuple[str, ...]:
    """The contract and the desk may use feature apps (E8's view calls the attachments app, the
    desk shows attachments); a feature app uses only the domain."""
    if layer == DOMAIN:
        return (*(app for app in APPS if app != DOMAIN), PROJECT, *HTTP, "django.contrib.admin")
    if layer == CONTRACT:
        return (DESK, PROJECT)
    if layer == DESK:
        return (CONTRACT, PROJECT, "rest_framework", "drf_spectacular")
    return (CONTRACT, DESK, PROJECT)


FORBIDDEN = {layer: forbidden_for(layer) for layer in APPS}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, dotted name) of every absolute import in the file; `from a import b` gives `a.b`
    too, so `from django import http` is caught like `import django.http`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def is_within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def violations(layer: str) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in sorted((ROOT / layer).rglob("*.py"))
        for line, name in imported_modules(path)
        if any(is_within(name, forbidden) for forbidden in FORBIDDEN[layer])
    ]


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_what_it_may(layer):
    assert violations(layer) == []


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "late.py"
    module.write_text("def view():\n    from django import http\n    return http\n")
    assert (2, "django.http") in imported_modules(module)


def test_the_layers_of_the_picture_are_apps_the_check_walks():
    """A renamed layer must not make its check pass by finding no files."""
    assert {DOMAIN, CONTRACT, DESK} <= set(APPS)
