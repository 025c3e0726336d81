"""Failed logins to the desk are limited (desk/login_limits.py): after the limit a username, or an
address, is refused with a clear message, the right password too, and no password is hashed."""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher

from desk.login_limits import locked_message
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "correct horse battery staple"
LIMIT = 10


class CountingHasher(MD5PasswordHasher):
    """The tests' fast hasher, counting how often a password is hashed."""

    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


@pytest.fixture
def staff(settings):
    settings.CRM_DESK_LOGIN_FAILURES_MAX = LIMIT
    settings.CRM_DESK_LOGIN_LOCKOUT_SECONDS = 900
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    user = UserFactory(username="dana", is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def log_in(client, username="dana", password=PASSWORD, address="203.0.113.7"):
    return client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=address
    )


def errors_of(response) -> list[str]:
    return list(response.context["form"].non_field_errors())


def test_the_right_password_logs_in(client, staff):
    assert log_in(client).status_code == 302


def test_after_the_limit_the_right_password_is_refused_with_the_lockout_message(client, staff):
    for _ in range(LIMIT):
        log_in(client, password="wrong")
    response = log_in(client)
    assert response.status_code == 200
    assert errors_of(response) == [locked_message()]
    assert "_auth_user_id" not in client.session


def test_a_locked_username_is_locked_from_every_address(client, staff):
    for number in range(LIMIT):
        log_in(client, password="wrong", address=f"198.51.100.{number}")
    assert errors_of(log_in(client, address="192.0.2.1")) == [locked_message()]


def test_a_locked_address_is_locked_for_every_username(client, staff):
    for number in range(LIMIT):
        log_in(client, username=f"guess{number}", password="wrong")
    assert errors_of(log_in(client)) == [locked_message()]


def test_failures_below_the_limit_do_not_lock(client, staff):
    for _ in range(LIMIT - 1):
        log_in(client, password="wrong")
    assert log_in(client).status_code == 302


def test_a_success_clears_the_usernames_failures(client, staff):
    for _ in range(LIMIT - 1):
        log_in(client, password="wrong", address="198.51.100.1")
    assert log_in(client, address="198.51.100.2").status_code == 302
    client.logout()
    log_in(client, password="wrong", address="198.51.100.3")
    assert log_in(client, address="198.51.100.4").status_code == 302


def test_attempts_after_the_limit_hash_no_password(client, staff):
    """The limiter bounds the PBKDF2 work a flood of bad logins costs the workers."""
    for _ in range(LIMIT):
        log_in(client, password="wrong")
    CountingHasher.calls = 0
    for _ in range(20):
        log_in(client, password="wrong")
    log_in(client)
    assert CountingHasher.calls == 0


def test_behind_a_trusted_proxy_the_address_is_the_one_the_proxy_saw(client, staff, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for number in range(LIMIT):
        client.post(
            LOGIN,
            {"username": f"guess{number}", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, 203.0.113.9",
        )
    locked = client.post(
        LOGIN,
        {"username": "dana", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    other = client.post(
        LOGIN,
        {"username": "dana", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.10",
    )
    assert errors_of(locked) == [locked_message()]
    assert other.status_code == 302
