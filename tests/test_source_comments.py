"""Docstrings and comments say why in the repository's own terms: they name no issue number
(the tracker is not where a reader of the code looks) and no file outside the repository (the
shared folder beside a checkout, which a reader of the repository does not have). Python files
are read for their docstrings and comments; other files (scripts, configuration) whole."""

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ["tickets", "crmapi", "desk", "crmtickets", "tests", "bench", "scripts", ".ci"]
TOP_LEVEL = [
    "manage.py",
    "gunicorn.conf.py",
    "Makefile",
    "pyproject.toml",
    "schemathesis.toml",
    "requirements.txt",
    "requirements-dev.txt",
    "docker-compose.yml",
    "Dockerfile",
    ".pre-commit-config.yaml",
]
SUFFIXES = {".py", ".sh", ".html", ".css", ".toml", ".yml", ".yaml", ".txt", ""}

ISSUE_NUMBER = re.compile(r"\bissues? ?#?[0-9]+\b", re.IGNORECASE)
OUTSIDE = re.compile(r"\.\./shared\b")


def source_files() -> list[Path]:
    found = [ROOT / name for name in TOP_LEVEL if (ROOT / name).exists()]
    for directory in SOURCE_DIRS:
        for path in sorted((ROOT / directory).rglob("*")):
            if path.is_file() and path.suffix in SUFFIXES and "__pycache__" not in path.parts:
                found.append(path)
    return found


def python_prose(text: str) -> list[str]:
    """The comments and docstrings of a Python module."""
    prose = [
        tok.string
        for tok in tokenize.generate_tokens(io.StringIO(text).readline)
        if tok.type == tokenize.COMMENT
    ]
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            docstring = ast.get_docstring(node, clean=False)
            if docstring:
                prose.append(docstring)
    return prose


def offending_lines(pattern: re.Pattern[str]) -> list[str]:
    found = []
    for path in source_files():
        text = path.read_text(errors="replace")
        chunks = python_prose(text) if path.suffix == ".py" else [text]
        for chunk in chunks:
            found += [
                f"{path.relative_to(ROOT)}: {line.strip()}"
                for line in chunk.splitlines()
                if pattern.search(line)
            ]
    return found


@pytest.mark.parametrize(
    ("pattern", "what"), [(ISSUE_NUMBER, "an issue number"), (OUTSIDE, "a file outside the repository")]
)
def test_source_names_no_issue_and_no_file_outside_the_repository(pattern, what):
    assert offending_lines(pattern) == [], f"{what} in the source"
