"""Production settings (CRM_ENV=production), loaded the way a server loads them: in a fresh
process with only the environment to go on."""

import pytest

from tests.support.processes import manage, production_env, setting


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


def test_log_level_is_read_in_any_case():
    """gunicorn.conf.py lowercases LOG_LEVEL; Django's logging config needs upper case."""
    assert setting("LOGGING['root']['level']", production_env(LOG_LEVEL="info")) == "'INFO'"
