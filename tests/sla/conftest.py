import pytest

from sla import policies


@pytest.fixture(autouse=True)
def _fresh_sla_settings():
    """Each test reads the policies its database holds (a test that edits one rolls it back)."""
    policies.forget()
    yield
    policies.forget()
