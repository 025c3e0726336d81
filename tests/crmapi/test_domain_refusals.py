"""CONTRACT §2, §8: a domain service's refusal — Django's ValidationError (400) or
PermissionDenied (403) — leaves as the error envelope with the refusal's own sentences, from a DRF
view and from a plain Django view under /crm/ alike; never as a 500."""

import pytest
from django.test import Client

from tests.support.client import assert_error
from tests.support.refusing_urls import FORBIDDEN_MESSAGE, ONE_MESSAGE

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.support.refusing_urls")]

KINDS = ["refuse-drf", "refuse-django"]


def refuse(kind: str, refusal: str):
    return Client().post(f"/crm/v1/test/{kind}/{refusal}", data="{}", content_type="application/json")


@pytest.mark.parametrize("kind", KINDS)
def test_validation_error_is_400_with_its_message(kind):
    assert_error(refuse(kind, "validation-one"), 400, ONE_MESSAGE, "400 BAD_REQUEST")


@pytest.mark.parametrize("kind", KINDS)
def test_several_validation_messages_are_joined_by_a_space_in_order(kind):
    assert_error(refuse(kind, "validation-list"), 400, "The ticket is closed. Reopen it first.")


@pytest.mark.parametrize("kind", KINDS)
def test_field_validation_messages_are_joined_in_field_order(kind):
    message = "The title is too long. The description is blank."
    assert_error(refuse(kind, "validation-fields"), 400, message)


@pytest.mark.parametrize("kind", KINDS)
def test_validation_message_params_are_filled_in(kind):
    assert_error(refuse(kind, "validation-params"), 400, "Ticket TT1001 is closed.")


@pytest.mark.parametrize("kind", KINDS)
def test_permission_denied_is_403_with_its_message(kind):
    assert_error(refuse(kind, "permission"), 403, FORBIDDEN_MESSAGE, "403 FORBIDDEN")


@pytest.mark.parametrize("kind", KINDS)
def test_permission_denied_without_a_message_says_forbidden(kind):
    assert_error(refuse(kind, "permission-bare"), 403, "Forbidden.", "403 FORBIDDEN")


def test_refusal_is_not_logged_as_an_error(caplog):
    refuse("refuse-drf", "validation-one")
    assert not [record for record in caplog.records if record.levelname == "ERROR"]
