"""The site's middleware that the API does not need, skipped for paths under /crm/.

Sessions, the logged-in user, flash messages and static files serve the desk (the admin) and
the API's docs pages. The API authenticates with a header token, sets no cookie and renders no
page, so each of these is wrapped here to hand an API request straight to the next one: the
desk keeps all of them, the hot path pays for none (docs/performance.md).
"""

from django.contrib.auth.middleware import AuthenticationMiddleware as _Authentication
from django.contrib.messages.middleware import MessageMiddleware as _Messages
from django.contrib.sessions.middleware import SessionMiddleware as _Sessions
from whitenoise.middleware import WhiteNoiseMiddleware as _WhiteNoise  # type: ignore[import-untyped]

from crmapi.middleware import is_api_path


def site_only(middleware_class: type) -> type:
    """`middleware_class`, passing requests under /crm/ on untouched."""

    class SiteOnly(middleware_class):
        def __call__(self, request):
            if is_api_path(request.path):
                return self.get_response(request)
            return super().__call__(request)

    SiteOnly.__name__ = SiteOnly.__qualname__ = middleware_class.__name__
    SiteOnly.__doc__ = f"{middleware_class.__module__}.{middleware_class.__name__}, outside /crm/."
    return SiteOnly


WhiteNoiseMiddleware = site_only(_WhiteNoise)
SessionMiddleware = site_only(_Sessions)
AuthenticationMiddleware = site_only(_Authentication)
MessageMiddleware = site_only(_Messages)
