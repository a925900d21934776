"""The project's URLs plus POST /bench/noop/: authenticated, parses the same JSON
body as a report, stores nothing. Loaded only by bench.ingest_settings."""

from django.urls import path
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.api.inputs import validated
from agencies.auth import require_role
from agencies.models import Role
from config.urls import urlpatterns as project_urlpatterns
from hub.reports.api import ReportTokenInput


class NoopApi(APIView):
    """What every API request pays before the work: token authentication, the
    role check, reading and validating the JSON body, rendering a response."""

    def post(self, request):
        require_role(request.user, Role.PUBLISHER)
        body = validated(ReportTokenInput, request)
        return Response({"received": len(body["token"])}, status=status.HTTP_201_CREATED)


urlpatterns = [path("bench/noop/", NoopApi.as_view()), *project_urlpatterns]
