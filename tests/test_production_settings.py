"""Production settings (CRM_ENV=production), loaded the way a server loads them: in a fresh
process with only the environment to go on."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


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


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def setting(name: str, env: dict[str, str]) -> str:
    code = f"from django.conf import settings; print(repr(settings.{name}))"
    result = manage("shell", "--verbosity", "0", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_check_deploy_reports_nothing_under_production_settings():
    result = manage("check", "--deploy", "--fail-level", "DEBUG", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


@pytest.mark.parametrize("name", ["DJANGO_SECRET_KEY", "CRM_JWT_SECRET"])
def test_production_refuses_to_start_without_a_secret(name):
    result = manage("check", env=production_env(**{name: None}))
    assert result.returncode != 0
    assert f"{name} must be set when CRM_ENV is not 'development'." in result.stderr


def test_production_refuses_a_short_jwt_secret():
    result = manage("check", env=production_env(CRM_JWT_SECRET="x" * 31))
    assert "CRM_JWT_SECRET must be at least 32 bytes long." in result.stderr


def test_production_turns_debug_off_by_default():
    assert setting("DEBUG", production_env()) == "False"


def test_production_trusts_the_tls_proxy_header():
    assert setting("SECURE_PROXY_SSL_HEADER", production_env()) == "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_production_serves_static_files_hashed_and_compressed_by_whitenoise():
    backend = setting('STORAGES["staticfiles"]["BACKEND"]', production_env())
    assert backend == "'whitenoise.storage.CompressedManifestStaticFilesStorage'"
