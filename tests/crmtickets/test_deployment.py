"""The deployment files, checked without Docker (it does not run here): the compose file's
structure, the Dockerfile's key facts, and the gunicorn configuration they start."""

import re
import runpy

import pytest
import yaml

from tests.support.processes import ROOT


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


@pytest.fixture(scope="module")
def dockerfile() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text())
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def instructions(dockerfile: list[str], keyword: str) -> list[str]:
    return [line[len(keyword) :].strip() for line in dockerfile if line.split()[0] == keyword]


# --- docker-compose.yml ----------------------------------------------------------------------


def test_compose_has_the_database_the_cache_the_migration_job_the_app_the_edge_and_the_worker(services):
    assert set(services) == {"db", "redis", "migrate", "app", "edge", "worker"}


def test_only_the_edge_is_published(services):
    """gunicorn is reached through nginx only (docs/deploying.md, "The edge")."""
    assert [name for name, service in services.items() if "ports" in service] == ["edge"]


def test_edge_is_the_official_nginx_image_with_the_projects_configuration(services):
    edge = services["edge"]
    assert re.fullmatch(r"nginx:\d+[\w.-]*", edge["image"])
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in edge["volumes"]}
    assert mounts["/etc/nginx/conf.d/default.conf"] == "./deploy/nginx/compose.conf"
    assert mounts["/etc/nginx/edge.conf"] == "./deploy/nginx/edge.conf"
    assert mounts["/etc/nginx/errors"] == "./deploy/nginx/errors"
    for path in ("deploy/nginx/compose.conf", "deploy/nginx/edge.conf"):
        assert (ROOT / path).is_file()


def test_database_is_the_official_postgres_image(services):
    assert re.fullmatch(r"postgres:\d+[\w.-]*", services["db"]["image"])


def test_database_keeps_its_data_in_a_named_volume(compose, services):
    volume, _, target = services["db"]["volumes"][0].partition(":")
    assert target == "/var/lib/postgresql/data"
    assert volume in compose["volumes"]


def test_database_has_a_pg_isready_healthcheck(services):
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])


def test_redis_is_the_official_image_with_a_healthcheck(services):
    assert services["redis"]["image"].startswith("redis:")
    assert "ping" in services["redis"]["healthcheck"]["test"]


def test_migrations_run_once_the_database_is_healthy(services):
    migrate = services["migrate"]
    assert migrate["command"][-2:] == ["migrate", "--noinput"]
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"


def test_app_serves_only_after_healthy_services_and_applied_migrations(services):
    depends_on = services["app"]["depends_on"]
    assert depends_on["db"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"
    assert depends_on["migrate"]["condition"] == "service_completed_successfully"


def test_app_worker_and_migration_job_run_the_same_image_with_production_settings(services):
    for name in ("app", "migrate", "worker"):
        assert services[name]["build"] == "."
        assert services[name]["environment"]["CRM_ENV"] == "production"


def test_app_reaches_the_database_and_redis_by_service_name(services):
    environment = services["app"]["environment"]
    assert "@db:5432/" in environment["DATABASE_URL"]
    assert environment["REDIS_URL"].startswith("redis://redis:6379/")


@pytest.mark.parametrize("name", ["DJANGO_SECRET_KEY", "CRM_JWT_SECRET"])
def test_secrets_come_from_the_environment_and_are_required(services, name):
    assert services["app"]["environment"][name] == f"${{{name}:?set {name}}}"


def test_database_password_comes_from_the_environment(services):
    assert services["db"]["environment"]["POSTGRES_PASSWORD"] == "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
    assert "${POSTGRES_PASSWORD:?" in services["app"]["environment"]["DATABASE_URL"]


def test_app_worker_count_comes_from_the_environment(services):
    assert services["app"]["environment"]["GUNICORN_WORKERS"].startswith("${GUNICORN_WORKERS")


def test_app_healthcheck_asks_readyz(services):
    assert "/readyz" in " ".join(services["app"]["healthcheck"]["test"])


def test_worker_runs_the_worker_command_once_the_migrations_are_applied(services):
    worker = services["worker"]
    assert worker["command"] == ["python", "manage.py", "run_worker"]
    assert worker["depends_on"]["db"]["condition"] == "service_healthy"
    assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert worker["environment"]["DATABASE_URL"] == services["app"]["environment"]["DATABASE_URL"]


def test_worker_is_given_longer_to_stop_than_an_attempt_takes(services, settings):
    """SIGTERM lets the attempts under way finish; compose kills after the grace period."""
    grace = services["worker"]["stop_grace_period"]
    assert grace.endswith("s")
    assert int(grace.removesuffix("s")) > settings.CRM_WEBHOOK_TIMEOUT


def test_worker_has_no_http_healthcheck(services):
    """It serves no HTTP: the image's /healthz check would call it unhealthy for ever."""
    assert services["worker"]["healthcheck"] == {"disable": True}


# --- Dockerfile ------------------------------------------------------------------------------


def test_image_is_slim_python_3_11(dockerfile):
    assert re.fullmatch(r"python:3\.11-slim[\w.-]*", instructions(dockerfile, "FROM")[0])


def test_image_installs_the_pinned_requirements(dockerfile):
    assert "COPY requirements.txt ." in dockerfile
    assert any(
        "pip install" in run and "-r requirements.txt" in run for run in instructions(dockerfile, "RUN")
    )


def test_every_requirement_is_pinned_to_one_version():
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    requirements = [line for line in lines if line.strip() and not line.startswith("#")]
    assert requirements
    assert all(re.fullmatch(r"[A-Za-z0-9_.\-]+(\[[\w,]+\])?==[\w.]+", line) for line in requirements)


def test_image_collects_static_files_at_build_time(dockerfile):
    assert any("manage.py collectstatic --noinput" in run for run in instructions(dockerfile, "RUN"))


def test_image_runs_as_a_non_root_user(dockerfile):
    users = instructions(dockerfile, "USER")
    assert users
    assert users[-1] not in ("root", "0")
    # Nothing after the switch runs as root again.
    assert dockerfile.index(f"USER {users[-1]}") > max(
        i for i, line in enumerate(dockerfile) if line.startswith("RUN ")
    )


def test_image_serves_with_gunicorn_and_its_config(dockerfile):
    assert instructions(dockerfile, "CMD")[-1] == '["gunicorn", "--config", "gunicorn.conf.py"]'


def test_build_context_leaves_out_local_state():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", "*.sqlite3", ".env", "staticfiles"} <= ignored


# --- gunicorn.conf.py ------------------------------------------------------------------------


def test_gunicorn_worker_count_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("GUNICORN_WORKERS", "7")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["workers"] == 7
    assert config["wsgi_app"] == "crmtickets.wsgi:application"


def test_the_app_knows_the_longest_a_request_can_run_under_gunicorn(settings):
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["timeout"] + config["graceful_timeout"] == settings.CRM_REQUEST_RUN_MAX_SECONDS


def test_gunicorn_leaves_the_request_log_to_the_app():
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["accesslog"] is None
