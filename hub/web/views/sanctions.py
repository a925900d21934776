"""The sanctions register: search with facets, and one entity with its history."""

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agencies.models import Role

from ..access import web_view
from ..register import RegisterQuery, register_entity_for, register_history, register_search


class RegisterSearchForm(forms.Form):
    q = forms.CharField(required=False, label="Name or id", max_length=200)
    list = forms.CharField(required=False, max_length=60)
    schema = forms.CharField(required=False, max_length=20)
    country = forms.CharField(required=False, max_length=2)
    program = forms.CharField(required=False, max_length=100)
    delisted = forms.BooleanField(required=False, label="Include delisted")


@web_view(Role.READER)
def sanctions(request: HttpRequest) -> HttpResponse:
    form = RegisterSearchForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    query = RegisterQuery(
        text=data.get("q", ""),
        list_name=data.get("list", ""),
        schema=data.get("schema", ""),
        country=data.get("country", ""),
        program=data.get("program", ""),
        include_delisted=data.get("delisted", False),
    )
    result = register_search(agency=request.caller.agency, query=query)
    page = Paginator(result.entities, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "section": "sanctions",
        "form": form,
        "query": query,
        "result": result,
        "page": page,
        "params": params,
    }
    template = (
        "web/sanctions/_results.html"
        if request.headers.get("HX-Request")
        else "web/sanctions/search.html"
    )
    return render(request, template, context)


@web_view(Role.READER)
def sanctions_entity(request: HttpRequest, entity_id: str) -> HttpResponse:
    states = register_entity_for(agency=request.caller.agency, entity_id=entity_id)
    return render(
        request,
        "web/sanctions/entity.html",
        {
            "section": "sanctions",
            "entity_id": entity_id,
            "states": states,
            "current": states[0],
            "history": register_history(states=states),
        },
    )
