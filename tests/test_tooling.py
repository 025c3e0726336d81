"""The development habits are wired in: the type checker runs over every app and the project
package with the Django and DRF plugins, `make lint` runs it and the migrations check after
ruff, and the git hooks run only this virtualenv's tools (pre-commit never fetches a hook
repository)."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def make_target(name: str) -> list[str]:
    """The recipe lines of a Makefile target."""
    text = (ROOT / "Makefile").read_text()
    match = re.search(rf"^{name}:.*\n((?:\t.*\n)+)", text, re.MULTILINE)
    assert match, f"no target {name}"
    return [line.strip() for line in match.group(1).splitlines()]


def test_mypy_checks_every_app_and_the_project_with_the_django_and_drf_plugins():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    mypy = config["tool"]["mypy"]
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert set(mypy["files"]) == {*apps, "crmtickets"}
    assert {"mypy_django_plugin.main", "mypy_drf_plugin.main"} <= set(mypy["plugins"])
    assert config["tool"]["django-stubs"]["django_settings_module"] == "crmtickets.settings"


def test_the_domain_is_never_relaxed_for_mypy():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    relaxed = [
        module for override in config["tool"]["mypy"].get("overrides", []) for module in override["module"]
    ]
    assert [module for module in relaxed if module.startswith("tickets")] == []


def test_make_lint_runs_ruff_then_mypy_then_the_migrations_check():
    recipe = make_target("lint")
    assert [line.split()[0].rsplit("/", 1)[-1] for line in recipe] == ["ruff", "ruff", "mypy", "$(MANAGE)"]
    assert recipe[-1].endswith("makemigrations --check --dry-run")


def test_the_type_checker_and_hooks_are_pinned_for_development():
    pins = dict(
        line.split("==", 1)
        for line in (ROOT / "requirements-dev.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    assert {"mypy", "django-stubs", "djangorestframework-stubs", "pre-commit"} <= set(pins)


def test_every_git_hook_is_a_local_tool_of_the_virtualenv():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert {repo["repo"] for repo in config["repos"]} == {"local"}
    assert {hook["id"] for hook in hooks} == {"ruff-check", "ruff-format", "mypy"}
    for hook in hooks:
        assert hook["language"] == "system"
        executable = hook["entry"].split()[0]
        assert executable.startswith(".venv/bin/")
        assert (ROOT / executable).exists()


def test_make_hooks_installs_them():
    assert make_target("hooks") == ["$(VENV)/bin/pre-commit install"]
