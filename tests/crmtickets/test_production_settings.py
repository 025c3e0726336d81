"""Production settings (CRM_ENV=production), loaded the way a server loads them: in a fresh
process with only the environment to go on."""

import pytest

from tests.support.processes import manage, production_env, setting

CHANNEL_KEYS = "whatsapp:6f1c0d9e8b7a6f5e4d3c2b1a,app:0a1b2c3d4e5f60718293a4b5"


def test_check_deploy_reports_nothing_under_production_settings():
    env = production_env(CRM_SOCIAL_CHANNEL_KEYS=CHANNEL_KEYS)
    result = manage("check", "--deploy", "--fail-level", "DEBUG", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_check_deploy_warns_when_e3_has_no_channel_keys_in_production():
    result = manage("check", "--deploy", env=production_env(CRM_SOCIAL_CHANNEL_KEYS=None))
    assert "crmapi.W001" in result.stdout + result.stderr


def test_channel_keys_are_read_as_name_key_pairs():
    assert setting("CRM_SOCIAL_CHANNEL_KEYS", production_env(CRM_SOCIAL_CHANNEL_KEYS=CHANNEL_KEYS)) == (
        "{'whatsapp': '6f1c0d9e8b7a6f5e4d3c2b1a', 'app': '0a1b2c3d4e5f60718293a4b5'}"
    )


@pytest.mark.parametrize("value", ["whatsapp", "whatsapp:short", "a b:0a1b2c3d4e5f60718293a4b5"])
def test_malformed_channel_keys_stop_the_start_up_without_echoing_a_key(value):
    result = manage("check", env=production_env(CRM_SOCIAL_CHANNEL_KEYS=value))
    assert result.returncode != 0
    assert "CRM_SOCIAL_CHANNEL_KEYS" in result.stderr
    assert "0a1b2c3d4e5f60718293a4b5" not in result.stderr


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


def test_an_sqlite_store_keeps_a_write_ahead_log_and_syncs_every_commit(tmp_path):
    code = (
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    for name in ('journal_mode', 'synchronous'):\n"
        "        print(cursor.execute(f'PRAGMA {name}').fetchone()[0])"
    )
    env = production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'store.sqlite3'}")
    result = manage("shell", "--verbosity", "0", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "2"]  # 2: FULL
