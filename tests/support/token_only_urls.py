"""A test-only URLconf: the project's routes plus a view that checks the token without
RequiredHeaders before it, to prove IsTokenContact alone still answers a missing token with the
contract's 401."""

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from crmapi.authentication import JWTAuthentication
from crmapi.permissions import IsTokenContact
from crmtickets.urls import urlpatterns as project_urlpatterns


class TokenOnlyView(APIView):
    authentication_classes = [JWTAuthentication]
    permission_classes = [IsTokenContact]

    def get(self, request):
        return Response({"contact": request.user.number})


urlpatterns = [path("crm/v1/test/token-only", TokenOnlyView.as_view()), *project_urlpatterns]
