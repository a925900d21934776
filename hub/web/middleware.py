"""Security headers for the analyst web UI."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# Everything the web UI needs is served by the hub itself: no inline scripts or
# styles, nothing from the internet. The API docs page is left alone (it loads
# its own assets).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)
UNCOVERED_PREFIXES = ("/api/", "/admin/", "/taxii2/", "/.well-known/")


class WebSecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(UNCOVERED_PREFIXES):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            response.headers.setdefault(
                "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
            )
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                # Pages of signed-in people hold shared intelligence: never cache them.
                response.headers.setdefault("Cache-Control", "no-store")
        return response
