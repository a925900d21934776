"""Sanctions register API (DESIGN 6): publish updates, search entities, read history."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.auth import require_role
from agencies.errors import MalformedRequest, TooLarge
from agencies.models import Role
from hub.models.sanctions import UpdateOp

from . import selectors, services
from .services.content import linked_names_of

MAX_TOKENS = getattr(settings, "SANCTIONS_MAX_TOKENS", 10_000)
DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class UpdateResultOutput(serializers.Serializer):
    index = serializers.IntegerField()
    op = serializers.CharField()
    entity_id = serializers.CharField()
    list = serializers.CharField()
    outcome = serializers.CharField(help_text="applied | unchanged")


class UpdatesOutput(serializers.Serializer):
    batch = serializers.CharField()
    added = serializers.IntegerField()
    modified = serializers.IntegerField()
    removed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    results = UpdateResultOutput(many=True)


class SanctionsUpdatesInput(serializers.Serializer):
    tokens = serializers.ListField(
        child=serializers.CharField(), min_length=1, max_length=MAX_TOKENS, help_text="signed JWTs"
    )


class SanctionsUpdatesApi(APIView):
    """POST sanctions/updates/: a batch of signed sanctions update JWTs, all or nothing."""

    # The body is checked by hand rather than with SanctionsUpdatesInput: running a
    # serializer field over 10,000 tokens costs more than the checks need.
    @extend_schema(request=SanctionsUpdatesInput, responses={200: UpdatesOutput})
    def post(self, request):
        caller = request.user
        require_role(caller, Role.PUBLISHER)
        body = request.data
        if not isinstance(body, dict) or not isinstance(body.get("tokens"), list):
            raise MalformedRequest(
                'The body must be {"tokens": [<JWT>, ...]}.', code="invalid_request"
            )
        tokens: list[Any] = body["tokens"]
        if not tokens:
            raise MalformedRequest("tokens is empty.", code="invalid_request")
        if len(tokens) > MAX_TOKENS:
            raise TooLarge(
                f"At most {MAX_TOKENS} tokens per request.",
                code="too_many_tokens",
                details={"max": MAX_TOKENS, "received": len(tokens)},
            )
        result = services.sanctions_updates_apply(
            caller_agency=caller.agency, tokens=tokens, actor=caller.actor
        )
        return Response(
            UpdatesOutput(
                {
                    "batch": result.batch,
                    "added": result.count(UpdateOp.ADD),
                    "modified": result.count(UpdateOp.MOD),
                    "removed": result.count(UpdateOp.DEL),
                    "unchanged": result.unchanged,
                    "results": [r.__dict__ for r in sorted(result.results, key=lambda r: r.index)],
                }
            ).data
        )


class EntityOutput(serializers.Serializer):
    id = serializers.CharField(source="entity_id")
    schema = serializers.CharField()
    caption = serializers.CharField()
    properties = serializers.JSONField()
    list = serializers.CharField(source="sanctions_list.name")
    countries = serializers.JSONField()
    programs = serializers.JSONField()
    linked_to = serializers.JSONField(
        help_text='"Linked To" remarks: [{"name", "id"}], id of the listed entity of the '
        "same list with that name or alias, or null"
    )
    first_listed = serializers.DateField()
    last_changed = serializers.DateField()
    delisted = serializers.DateField()
    deleted = serializers.BooleanField()


class ChangeOutput(serializers.Serializer):
    op = serializers.CharField()
    effective = serializers.DateField()
    recorded_at = serializers.DateTimeField()
    issuer = serializers.CharField(source="issuer.code")
    update_id = serializers.IntegerField(source="update.pk")
    kid = serializers.CharField(source="update.kid")
    issued_at = serializers.DateTimeField(source="update.issued_at")
    token = serializers.CharField(source="update.token", help_text="the signed update, to verify")
    before = serializers.JSONField()
    after = serializers.JSONField()
    linked_to = serializers.SerializerMethodField(
        help_text='names of the state\'s "Linked To" remarks (after the change, else before)'
    )

    def get_linked_to(self, change) -> list[str]:
        state = change.after or change.before or {}
        return linked_names_of(state.get("properties") or {})


class EntityDetailOutput(EntityOutput):
    history = ChangeOutput(many=True)


class EntityPageOutput(serializers.Serializer):
    count = serializers.IntegerField()
    limit = serializers.IntegerField()
    offset = serializers.IntegerField()
    next_offset = serializers.IntegerField(allow_null=True)
    results = EntityOutput(many=True)


def _int_param(request, name: str, default: int, *, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise MalformedRequest(f"{name} must be an integer.", code="invalid_query") from exc
    if not low <= value <= high:
        raise MalformedRequest(f"{name} must be between {low} and {high}.", code="invalid_query")
    return value


class SanctionsEntityListApi(APIView):
    """GET sanctions/entities/: search the register (only lists visible to the caller)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="words of a name or alias, or an entity id"),
            OpenApiParameter("list", str),
            OpenApiParameter("schema", str),
            OpenApiParameter("country", str, description="ISO code, e.g. ru"),
            OpenApiParameter("program", str, description="e.g. SDGT"),
            OpenApiParameter("deleted", bool, description="include delisted entities"),
            OpenApiParameter("limit", int),
            OpenApiParameter("offset", int),
        ],
        responses=EntityPageOutput,
        operation_id="sanctions_entities_list",
    )
    def get(self, request):
        caller = request.user
        require_role(caller, Role.READER)
        params = request.query_params
        limit = _int_param(request, "limit", DEFAULT_LIMIT, low=1, high=MAX_LIMIT)
        offset = _int_param(request, "offset", 0, low=0, high=10**9)
        entries = selectors.entity_search(
            agency=caller.agency,
            q=params.get("q"),
            list_name=params.get("list") or None,
            schema=params.get("schema") or None,
            country=params.get("country") or None,
            program=params.get("program") or None,
            include_deleted=params.get("deleted", "").lower() in ("1", "true", "yes"),
        )
        count = entries.count()
        page = list(entries[offset : offset + limit])
        return Response(
            {
                "count": count,
                "limit": limit,
                "offset": offset,
                "next_offset": offset + limit if offset + limit < count else None,
                "results": EntityOutput(page, many=True).data,
            }
        )


class SanctionsEntityDetailApi(APIView):
    """GET sanctions/entities/{id}/: current state and every change (with the signed updates)."""

    @extend_schema(
        parameters=[OpenApiParameter("list", str)],
        responses=EntityDetailOutput,
    )
    def get(self, request, entity_id: str):
        caller = request.user
        require_role(caller, Role.READER)
        entry = selectors.entity_access(
            agency=caller.agency,
            entity_id=entity_id,
            list_name=request.query_params.get("list") or None,
        )
        data = EntityOutput(entry).data
        data["history"] = ChangeOutput(selectors.entity_history(entry=entry), many=True).data
        return Response(data)
