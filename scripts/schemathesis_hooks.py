"""schemathesis hooks for `make api-check`, loaded by schemathesis.toml.

One built-in expectation contradicts the contract: `ignored_auth` sends a request without the
`token` header and expects 401 or 403, but CONTRACT §3 makes a missing mandatory header — `token`
included — 400 `Header 'token' not present in the request.`; only a token that is present and
wrong is 401 (which the check's invalid-token probe still demands). The check keeps running in
full; this teaches it that exact 400 also means "the service refused the request without auth".
"""

from schemathesis.specs.openapi import checks

from crmapi.messages import HEADER_MISSING

MISSING_TOKEN = HEADER_MISSING.format(name="token")
_builtin_enforces_auth = checks._enforces_auth


def _error_message(response) -> str | None:
    try:
        return response.json()["response"]["result"]["arguments"]["errorMessage"]
    except (ValueError, KeyError, TypeError):
        return None


def _enforces_auth(response, authenticated) -> bool:
    if response.status_code == 400 and _error_message(response) == MISSING_TOKEN:
        return True
    return _builtin_enforces_auth(response, authenticated)


checks._enforces_auth = _enforces_auth
