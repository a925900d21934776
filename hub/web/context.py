"""Template context for every web page: who is signed in, as which agency and role."""

from typing import Any

from django.http import HttpRequest

from agencies.models import Role


def web_context(request: HttpRequest) -> dict[str, Any]:
    caller = getattr(request, "caller", None)
    if caller is None:
        return {}
    return {
        "caller": caller,
        "caller_is_admin": caller.has_role(Role.AGENCY_ADMIN),
        "caller_can_publish": caller.has_role(Role.PUBLISHER),
        "caller_role_label": caller.role.replace("_", " "),
    }
