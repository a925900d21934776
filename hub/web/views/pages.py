"""Landing page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from agencies.models import Role

from ..access import web_view


@web_view(Role.READER)
def home(request: HttpRequest) -> HttpResponse:
    return redirect("web:inbox")
