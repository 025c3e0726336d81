"""Which email backend runs where, configured only through the environment, in a fresh process
as a server's: the console in development, SMTP (host, port, login, STARTTLS) in production."""

import os

from tests.support.processes import manage, production_env, setting
from tests.support.smtp_server import SmtpServer, self_signed_certificate

SEND = (
    "from django.core.mail import send_mail; "
    "send_mail('Configured', 'From the environment.', None, ['dana@example.com'])"
)


def test_development_prints_email_on_the_console():
    env = {**os.environ, "CRM_ENV": "development"}
    env.pop("DJANGO_EMAIL_BACKEND", None)
    assert setting("EMAIL_BACKEND", env) == "'django.core.mail.backends.console.EmailBackend'"


def test_production_sends_through_the_smtp_server_the_environment_names(tmp_path):
    certificate = self_signed_certificate(tmp_path)
    server = SmtpServer(certificate=certificate, login=("mailer", "s3cret-pass"))
    server.start()
    try:
        env = production_env(
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(server.port),
            EMAIL_HOST_USER="mailer",
            EMAIL_HOST_PASSWORD="s3cret-pass",
            EMAIL_USE_TLS="true",
            DEFAULT_FROM_EMAIL="desk@example.com",
            DJANGO_EMAIL_BACKEND=None,
            SSL_CERT_FILE=str(certificate.cert),  # the process trusts the test's own certificate
        )
        result = manage("shell", "--verbosity", "0", "-c", SEND, env=env)
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    assert server.logins == ["mailer"]
    [mail] = server.received
    assert (mail.mail_from, mail.rcpt_tos, mail.message["Subject"]) == (
        "desk@example.com",
        ["dana@example.com"],
        "Configured",
    )
