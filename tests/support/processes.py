"""The project directory and fresh processes of it, configured only through the environment,
as a server's are: shared so that test modules never import one another."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def production_env(**overrides: str | None) -> dict[str, str]:
    """A production environment with fresh, valid secrets; a value of None removes a variable."""
    env = {
        **os.environ,
        "CRM_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "CRM_JWT_SECRET": secrets.token_urlsafe(48),
    }
    env.pop("DJANGO_DEBUG", None)
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def python(*args: str, env: dict[str, str], timeout: int, check: bool = False) -> subprocess.CompletedProcess:
    """`python *args` in a new process at ROOT, its output captured as text."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=check,
    )


def django_env(**overrides: str) -> dict[str, str]:
    """This environment with the project's settings module, for a script that calls django.setup()."""
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "crmtickets.settings", **overrides}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return python("manage.py", *args, env=env, timeout=120)


def setting(name: str, env: dict[str, str]) -> str:
    code = f"from django.conf import settings; print(repr(settings.{name}))"
    result = manage("shell", "--verbosity", "0", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()
