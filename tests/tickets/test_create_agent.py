"""`create_agent`: a staff user in the `Support agent` group, for operators."""

import pytest
from django.core.management import CommandError, call_command

from tests.factories import UserFactory
from tickets.management.commands.create_agent import PASSWORD_ENV

pytestmark = pytest.mark.django_db


def create(*args, **options):
    call_command("create_agent", *args, **options)


def test_agent_is_created_in_the_support_agent_group(django_user_model):
    create("sam", email="sam@example.com", first_name="Sam", last_name="Lee", password="s3cret-pass")
    user = django_user_model.objects.get(username="sam")
    assert user.is_staff
    assert not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Support agent"]
    assert user.get_full_name() == "Sam Lee"
    assert user.check_password("s3cret-pass")


def test_password_comes_from_the_environment(monkeypatch, django_user_model):
    monkeypatch.setenv(PASSWORD_ENV, "from-the-env")
    create("sam", email="sam@example.com")
    assert django_user_model.objects.get(username="sam").check_password("from-the-env")


def test_without_a_password_or_terminal_it_fails_clearly(monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(CommandError, match="No password"):
        create("sam", email="sam@example.com")


def test_prompted_passwords_must_match(monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter(["first-try", "second-try"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    with pytest.raises(CommandError, match="do not match"):
        create("sam", email="sam@example.com")


def test_prompted_password_is_used(monkeypatch, django_user_model):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt: "typed-pass")
    create("sam", email="sam@example.com")
    assert django_user_model.objects.get(username="sam").check_password("typed-pass")


def test_existing_username_is_a_command_error():
    UserFactory(username="sam")
    with pytest.raises(CommandError, match="already exists"):
        create("sam", email="sam@example.com", password="s3cret-pass")


def test_invalid_email_is_a_command_error():
    with pytest.raises(CommandError, match="email"):
        create("sam", email="not-an-email", password="s3cret-pass")


def test_created_agent_can_log_in_to_the_desk(client):
    create("sam", email="sam@example.com", password="s3cret-pass")
    assert client.login(username="sam", password="s3cret-pass")
    assert client.get("/admin/tickets/ticket/").status_code == 200
