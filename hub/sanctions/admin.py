"""Admin screens of the sanctions register: read-only lists, entities, history and
accepted updates, plus an upload form that imports a list file (same service as
the `sanctions_import` command)."""

from __future__ import annotations

import json
from datetime import date

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template import RequestContext, Template
from django.urls import path, reverse
from django.utils.html import format_html

from agencies.errors import CordonError
from agencies.services import Actor
from hub.models.sanctions import SanctionedEntity, SanctionsChange, SanctionsList, SanctionsUpdate

from .importers import ftm_import, ofac_import
from .services import sanctions_authority_ensure


class ReadOnlyAdmin(admin.ModelAdmin):
    """The register changes only through signed updates: nothing is edited here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def _pretty(value) -> str:
    return format_html(
        "<pre style='white-space: pre-wrap'>{}</pre>",
        json.dumps(value, indent=1, ensure_ascii=False),
    )


class ChangeInline(admin.TabularInline):
    model = SanctionsChange
    extra = 0
    can_delete = False
    fields = ("op", "effective", "issuer", "recorded_at", "update", "before_pretty", "after_pretty")
    readonly_fields = fields
    ordering = ("id",)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="before")
    def before_pretty(self, change: SanctionsChange) -> str:
        return _pretty(change.before)

    @admin.display(description="after")
    def after_pretty(self, change: SanctionsChange) -> str:
        return _pretty(change.after)


@admin.register(SanctionedEntity)
class SanctionedEntityAdmin(ReadOnlyAdmin):
    list_display = (
        "caption",
        "entity_id",
        "sanctions_list",
        "schema",
        "deleted",
        "first_listed",
        "last_changed",
    )
    list_filter = ("sanctions_list", "schema", "deleted")
    search_fields = ("entity_id", "name_text")
    readonly_fields = (
        "sanctions_list",
        "entity_id",
        "schema",
        "caption",
        "properties_pretty",
        "countries",
        "programs",
        "first_listed",
        "last_changed",
        "delisted",
        "deleted",
        "last_update",
        "updated_at",
    )
    fields = readonly_fields
    inlines = [ChangeInline]
    list_select_related = ("sanctions_list",)

    @admin.display(description="properties")
    def properties_pretty(self, entry: SanctionedEntity) -> str:
        return _pretty(entry.properties)


@admin.register(SanctionsUpdate)
class SanctionsUpdateAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "op",
        "entity_id",
        "sanctions_list",
        "issuer",
        "effective",
        "outcome",
        "received_at",
    )
    list_filter = ("sanctions_list", "op", "outcome")
    search_fields = ("entity_id", "token_hash", "batch")
    list_select_related = ("sanctions_list", "issuer")


class ImportForm(forms.Form):
    format = forms.ChoiceField(
        choices=[("ofac", "OFAC SDN CSV (sdn, alt, add)"), ("ftm", "FtM JSON lines")]
    )
    authority = forms.RegexField(
        r"^[A-Z0-9][A-Z0-9-]{1,39}$", help_text="agency code, created if missing"
    )
    country = forms.RegexField(
        r"^[A-Za-z]{2}$", initial="US", help_text="country of a new authority"
    )
    list_name = forms.RegexField(
        r"^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$", label="list", initial="OFAC-SDN"
    )
    effective = forms.DateField(required=False, help_text="YYYY-MM-DD, default today")
    sdn = forms.FileField(required=False, label="sdn.csv / FtM file")
    alt = forms.FileField(required=False, label="alt.csv")
    add = forms.FileField(required=False, label="add.csv")


UPLOAD_PAGE = Template(
    """{% extends "admin/base_site.html" %}
{% block content %}
<h1>Import a sanctions list</h1>
<p>The file is compared with the register; the additions, changes and removals are signed
with the authority's key and applied as sanctions updates.</p>
<form method="post" enctype="multipart/form-data">{% csrf_token %}
<table>{{ form.as_table }}</table>
<input type="submit" value="Import">
</form>
{% endblock %}"""
)


@admin.register(SanctionsList)
class SanctionsListAdmin(ReadOnlyAdmin):
    list_display = ("name", "authority", "created_at", "listed")

    @admin.display(description="listed entities")
    def listed(self, sanctions_list: SanctionsList) -> int:
        return sanctions_list.entities.filter(deleted=False).count()

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="hub_sanctionslist_import",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        if request.method == "GET" and self._may_import(request):
            messages.info(
                request,
                format_html(
                    '<a href="{}">Import a list file</a>', reverse("admin:hub_sanctionslist_import")
                ),
            )
        return super().changelist_view(request, extra_context)

    @staticmethod
    def _may_import(request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self._may_import(request):
            return HttpResponse("Only superusers may import lists.", status=403)
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            actor = Actor(label=f"admin:{request.user.get_username()}", agency=data["authority"])
            effective: date | None = data["effective"]
            try:
                authority = sanctions_authority_ensure(
                    code=data["authority"], country=data["country"], actor=actor
                )
                if not data["sdn"]:
                    raise CordonError("Choose a file.", code="file_missing")
                common = {
                    "authority": authority,
                    "list_name": data["list_name"],
                    "actor": actor,
                    "effective": effective,
                }
                if data["format"] == "ofac":
                    summary = ofac_import(
                        sdn=data["sdn"].read(),
                        alt=data["alt"].read() if data["alt"] else None,
                        add=data["add"].read() if data["add"] else None,
                        **common,
                    )
                else:
                    summary = ftm_import(source=data["sdn"].read(), **common)
            except CordonError as exc:
                messages.error(request, f"Import refused: {exc.message}")
            else:
                messages.success(request, f"{data['list_name']}: {summary.line()}")
                return HttpResponseRedirect(reverse("admin:hub_sanctionslist_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": "Import a sanctions list",
        }
        return HttpResponse(UPLOAD_PAGE.render(RequestContext(request, context)))
