"""The OpenAPI description, /api/schema/, and the browsable docs, /api/docs/ (Swagger UI) and
/api/redoc/ (Redoc), locked to this host.

The pages load only files this service serves (drf-spectacular-sidecar), but Redoc's bundle still
shows the Redocly logo from cdn.redoc.ly. A Content-Security-Policy allowing only this origin makes
the browser refuse that and any other outside request, so nothing leaves the machine and the docs
render the same with the network cut. Inline script and style stay allowed: both pages start from
an inline script, and Redoc runs its search in a blob: worker.
"""

from django.utils import translation
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.response import Response
from rest_framework.views import APIView

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


class SchemaView(SpectacularAPIView):
    """The description, generated once per process and language.

    Generating it costs about half a second of CPU and its content changes only with a deploy;
    regenerated per request, any anonymous client could keep a worker busy at will.
    """

    generated: dict[str, dict] = {}

    def _get_schema_response(self, request):
        language = translation.get_language()
        if language not in self.generated:
            self.generated[language] = super()._get_schema_response(request).data
        filename = self._get_filename(request, None)
        return Response(
            self.generated[language], headers={"Content-Disposition": f'inline; filename="{filename}"'}
        )


class ThisHostOnly(APIView):
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Security-Policy"] = THIS_HOST_ONLY
        return response


class SwaggerView(ThisHostOnly, SpectacularSwaggerView):
    pass


class RedocView(ThisHostOnly, SpectacularRedocView):
    # Ours drops the Google Fonts links of drf-spectacular's page.
    template_name = "crmapi/redoc.html"
