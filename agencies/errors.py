"""The one error vocabulary of the hub (DESIGN section 6).

Services raise these; one DRF exception handler turns them, and DRF's own
exceptions, into `{"error": {"code", "message", "details"}}`.
"""

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response

logger = logging.getLogger(__name__)


class CordonError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class MalformedRequest(CordonError):
    status = 400
    code = "malformed_request"


class NotAuthenticated(CordonError):
    status = 401
    code = "not_authenticated"


class PermissionDenied(CordonError):
    status = 403
    code = "permission_denied"


class NotFound(CordonError):
    status = 404
    code = "not_found"


class Conflict(CordonError):
    status = 409
    code = "conflict"


class TooLarge(CordonError):
    status = 413
    code = "request_too_large"


class Refused(CordonError):
    """Valid JSON, but refused: bad signature, unknown key, schema violation."""

    status = 422
    code = "refused"


def error_response(error: CordonError) -> JsonResponse:
    return JsonResponse(error.body(), status=error.status)


_DRF_CODES = {
    drf_exceptions.ParseError: (400, "malformed_json"),
    drf_exceptions.UnsupportedMediaType: (415, "unsupported_media_type"),
    drf_exceptions.NotAuthenticated: (401, "not_authenticated"),
    drf_exceptions.AuthenticationFailed: (401, "authentication_failed"),
    drf_exceptions.PermissionDenied: (403, "permission_denied"),
    drf_exceptions.NotFound: (404, "not_found"),
    drf_exceptions.MethodNotAllowed: (405, "method_not_allowed"),
    drf_exceptions.Throttled: (429, "throttled"),
}


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """Map every API exception to the stable error body."""
    if isinstance(exc, CordonError):
        return Response(exc.body(), status=exc.status)
    if isinstance(exc, Http404):
        return Response(NotFound("Not found.").body(), status=404)
    if isinstance(exc, drf_exceptions.ValidationError):
        details = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        error = MalformedRequest("The request body is not valid.", code="invalid_request")
        error.details = details
        return Response(error.body(), status=400)
    for exc_class, (status, code) in _DRF_CODES.items():
        if isinstance(exc, exc_class):
            message = str(exc.detail) if hasattr(exc, "detail") else str(exc)
            response = Response(
                {"error": {"code": code, "message": message, "details": {}}}, status=status
            )
            if isinstance(exc, drf_exceptions.Throttled) and exc.wait:
                response["Retry-After"] = str(int(exc.wait))
            if status == 401:
                response["WWW-Authenticate"] = "Token"
            return response
    if isinstance(exc, drf_exceptions.APIException):
        return Response(
            {"error": {"code": exc.default_code, "message": str(exc.detail), "details": {}}},
            status=exc.status_code,
        )
    return None


def not_found_view(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """An unmatched URL: the error body of DESIGN 6 under /api/, the HTML page elsewhere."""
    if request.path.startswith("/api/"):
        return error_response(NotFound(f"No endpoint at {request.path}.", code="not_found"))
    return defaults.page_not_found(request, exception)


def server_error_view(request: HttpRequest) -> HttpResponse:
    """An unhandled exception: the error body under /api/, the HTML page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": {"code": "server_error", "message": "Internal error.", "details": {}}},
            status=500,
        )
    return defaults.server_error(request)
