"""Browser access from the self-care web pages listed in CRM_CORS_ORIGINS (django-cors-headers).

corsheaders answers a preflight itself with an empty 200. Under /crm/ every response is the
envelope (CONTRACT §2), so the preflight goes on to the view like any OPTIONS request (§8: 200,
`Allow`, `{"allow": [...]}`, no header or token needed) and corsheaders adds its
Access-Control-* headers on the way out, for the configured origins only.
"""

from corsheaders.middleware import CorsMiddleware


class CrmCorsMiddleware(CorsMiddleware):
    def check_preflight(self, request):
        super().check_preflight(request)  # records whether CORS applies to this path
        return None
