"""Refuse oversized API bodies with 413 before anything reads them."""

from django.conf import settings

from .errors import TooLarge, error_response

# Paths whose bodies may be larger than the default (batches of signed updates).
LARGE_BODY_PATHS = ("/api/v1/sanctions/updates/",)


class BodySizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            limit = (
                settings.SANCTIONS_MAX_BODY_BYTES
                if request.path.startswith(LARGE_BODY_PATHS)
                else settings.API_MAX_BODY_BYTES
            )
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                return error_response(
                    TooLarge(
                        f"The body is {length} bytes; the limit is {limit}.",
                        details={"limit": limit},
                    )
                )
        return self.get_response(request)
