"""The browsable API docs, /api/docs/ (Swagger UI) and /api/redoc/ (Redoc), locked to this host.

The pages load only files this service serves (drf-spectacular-sidecar), but Redoc's bundle still
shows the Redocly logo from cdn.redoc.ly. A Content-Security-Policy allowing only this origin makes
the browser refuse that and any other outside request, so nothing leaves the machine and the docs
render the same with the network cut. Inline script and style stay allowed: both pages start from
an inline script, and Redoc runs its search in a blob: worker.
"""

from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

THIS_HOST_ONLY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
    ]
)


class ThisHostOnly:
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Security-Policy"] = THIS_HOST_ONLY
        return response


class SwaggerView(ThisHostOnly, SpectacularSwaggerView):
    pass


class RedocView(ThisHostOnly, SpectacularRedocView):
    # Ours drops the Google Fonts links of drf-spectacular's page.
    template_name = "tickets/redoc.html"
