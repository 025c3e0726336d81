"""Where the envelope middleware sits, as its docstring says: inside the site's access log,
health probes and CORS, outside every Django middleware whose HTML answers it replaces."""

from django.conf import settings

ENVELOPE = "crmapi.middleware.CrmEnvelopeMiddleware"
OUTSIDE_IT = [
    "crmtickets.access_log.AccessLogMiddleware",
    "crmtickets.health.HealthProbeMiddleware",
    "crmapi.cors.CrmCorsMiddleware",
]


def test_envelope_middleware_comes_right_after_access_log_probes_and_cors():
    position = settings.MIDDLEWARE.index(ENVELOPE)
    assert settings.MIDDLEWARE[:position] == OUTSIDE_IT


def test_envelope_middleware_is_outside_every_django_middleware():
    position = settings.MIDDLEWARE.index(ENVELOPE)
    django_positions = [i for i, name in enumerate(settings.MIDDLEWARE) if name.startswith("django.")]
    assert django_positions
    assert min(django_positions) > position
