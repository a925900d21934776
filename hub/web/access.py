"""Who may open which page: every web view goes through `web_view`.

The signed-in person acts as their agency with their membership's role (the
same `Caller` the API uses), so the services apply the same permission checks
to the web UI as to partner systems.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agencies.auth import Caller, caller_for_user
from agencies.errors import NotFound, PermissionDenied
from agencies.models import Agency, Role


class WebRequest(HttpRequest):
    caller: Caller


def denied(request: HttpRequest, message: str, *, status: int = 403) -> HttpResponse:
    heading = "Not found" if status == 404 else "Not allowed"
    return render(
        request, "web/denied.html", {"message": message, "heading": heading}, status=status
    )


def web_view(role: str = Role.READER) -> Callable:
    """Require a signed-in member of an agency with at least `role`.

    Sets `request.caller`. Permission and not-found errors raised by services
    and selectors become the 403 and 404 pages.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            caller = caller_for_user(request.user)
            if caller is None:
                return denied(request, "Your account belongs to no agency. Ask a hub admin.")
            if not caller.has_role(role):
                return denied(request, f"This page needs the {role.replace('_', ' ')} role.")
            request.caller = caller  # type: ignore[attr-defined]
            try:
                return view(request, *args, **kwargs)
            except PermissionDenied as error:
                return denied(request, error.message)
            except NotFound as error:
                return denied(request, error.message, status=404)

        return wrapper

    return decorate


def administrable_agencies(caller: Caller):
    """The agencies whose keys, tokens and webhooks this caller manages."""
    if caller.is_hub_admin:
        return Agency.objects.all()
    if caller.has_role(Role.AGENCY_ADMIN):
        return Agency.objects.filter(pk=caller.agency.pk)
    return Agency.objects.none()
