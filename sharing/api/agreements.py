"""Sharing agreements over the API (DESIGN 3 and 6). One thin view per operation.

Who: a hub admin sees and manages every agreement; an agency admin only those its
agency is party to (others answer 404, as if they did not exist). Lower roles
are refused (403).
"""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.api.inputs import validated
from agencies.auth import Caller, require_hub_admin, require_role
from agencies.errors import MalformedRequest, PermissionDenied, Refused
from agencies.models import Agency, Role
from sharing import selectors
from sharing.models.agreements import AgreementStatus
from sharing.services import agreements as services

SCOPE_KEYS = {
    "countries": "scope_countries",
    "hs_chapters": "scope_hs_chapters",
    "control_prefixes": "scope_control_prefixes",
    "red_flags": "scope_red_flags",
    "lists": "scope_lists",
    # Longer spellings some partners use for the same filters.
    "control_code_prefixes": "scope_control_prefixes",
    "sanctions_lists": "scope_lists",
}


class ScopeOutput(serializers.Serializer):
    countries = serializers.ListField(child=serializers.CharField(), source="scope_countries")
    hs_chapters = serializers.ListField(child=serializers.CharField(), source="scope_hs_chapters")
    control_prefixes = serializers.ListField(
        child=serializers.CharField(), source="scope_control_prefixes"
    )
    red_flags = serializers.ListField(child=serializers.CharField(), source="scope_red_flags")
    lists = serializers.ListField(child=serializers.CharField(), source="scope_lists")


class AgreementOutput(serializers.Serializer):
    id = serializers.UUIDField()
    provider = serializers.CharField(source="provider.code")
    recipient = serializers.CharField(source="recipient.code")
    status = serializers.CharField()
    effective_status = serializers.CharField()
    valid_from = serializers.DateTimeField()
    valid_until = serializers.DateTimeField(allow_null=True)
    kinds = serializers.ListField(child=serializers.CharField())
    max_tlp = serializers.CharField()
    withheld = serializers.ListField(child=serializers.CharField())
    scope = ScopeOutput(source="*")
    onward_sharing = serializers.BooleanField()
    attribution = serializers.CharField()
    permitted_actions = serializers.CharField()
    encrypt_in_transit = serializers.CharField()
    affected_party_notifications = serializers.CharField()
    legal_basis = serializers.CharField()
    provider_accepted_at = serializers.DateTimeField(allow_null=True)
    recipient_accepted_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


def _string_list(**options) -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(), required=False, **options)


class ScopeInput(serializers.Serializer):
    countries = _string_list()
    hs_chapters = _string_list()
    control_prefixes = _string_list()
    red_flags = _string_list()
    lists = _string_list()
    control_code_prefixes = _string_list()
    sanctions_lists = _string_list()

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        # An ignored filter would widen sharing silently, so an unknown key is refused.
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(SCOPE_KEYS))
            if unknown:
                raise serializers.ValidationError(
                    f"Unknown scope filter(s): {', '.join(unknown)}; "
                    f"known: {', '.join(sorted(SCOPE_KEYS))}."
                )
        return super().to_internal_value(data)


def _agency_named(code: str, *, field: str) -> Agency:
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise Refused(
            f"No agency {code!r}.", code="unknown_agency", details={field: [f"unknown {code!r}"]}
        )
    return agency


def _require_agreement_admin(caller: Caller) -> None:
    """Agreements are for administrators: a hub admin, or an agency's admin."""
    require_role(caller, Role.AGENCY_ADMIN)


class AgreementCreateInput(serializers.Serializer):
    provider = serializers.CharField(max_length=40)
    recipient = serializers.CharField(max_length=40)
    status = serializers.ChoiceField(
        choices=[AgreementStatus.PROPOSED, AgreementStatus.ACTIVE], required=False
    )
    valid_from = serializers.DateTimeField(required=False)
    valid_until = serializers.DateTimeField(required=False, allow_null=True)
    kinds = _string_list()
    max_tlp = serializers.CharField(required=False, max_length=20)
    withheld = _string_list()
    scope = ScopeInput(required=False)
    # The model's flat names are accepted too.
    scope_countries = _string_list()
    scope_hs_chapters = _string_list()
    scope_control_prefixes = _string_list()
    scope_red_flags = _string_list()
    scope_lists = _string_list()
    onward_sharing = serializers.BooleanField(required=False)
    attribution = serializers.CharField(required=False, max_length=20)
    permitted_actions = serializers.CharField(required=False, max_length=60)
    encrypt_in_transit = serializers.CharField(required=False, max_length=20)
    affected_party_notifications = serializers.CharField(required=False, max_length=20)
    legal_basis = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class AgreementListApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("provider", str, description="provider agency code"),
            OpenApiParameter("recipient", str, description="recipient agency code"),
            OpenApiParameter(
                "status", str, description="proposed | active | suspended | terminated | expired"
            ),
        ],
        responses=AgreementOutput(many=True),
    )
    def get(self, request):
        _require_agreement_admin(request.user)
        agreements = selectors.agreement_list_for(
            caller=request.user,
            provider_code=request.query_params.get("provider"),
            recipient_code=request.query_params.get("recipient"),
            effective_status=request.query_params.get("status"),
        )
        return Response(AgreementOutput(agreements, many=True).data)

    @extend_schema(request=AgreementCreateInput, responses={201: AgreementOutput})
    def post(self, request):
        caller: Caller = request.user
        _require_agreement_admin(caller)
        data = validated(AgreementCreateInput, request)
        provider = _agency_named(data.pop("provider"), field="provider")
        recipient = _agency_named(data.pop("recipient"), field="recipient")
        if not caller.is_hub_admin and caller.agency.pk not in (provider.pk, recipient.pk):
            raise PermissionDenied(
                "An agency admin may only create agreements its agency is party to.",
                code="not_a_party",
            )
        if data.get("status") == AgreementStatus.ACTIVE:
            require_hub_admin(caller)
        for key, value in data.pop("scope", {}).items():
            field = SCOPE_KEYS[key]
            if field in data and data[field] != value:
                raise MalformedRequest(
                    f"scope.{key} and {field} disagree; send one of them.",
                    code="invalid_request",
                )
            data[field] = value
        if "max_tlp" in data:
            # "amber" and "TLP:AMBER" both mean AMBER.
            data["max_tlp"] = data["max_tlp"].strip().upper().removeprefix("TLP:")
        agreement = services.agreement_create(
            provider=provider,
            recipient=recipient,
            actor=caller.actor,
            accepted_by=None if caller.is_hub_admin else caller.agency,
            **data,
        )
        return Response(AgreementOutput(agreement).data, status=status.HTTP_201_CREATED)


class AgreementDetailApi(APIView):
    @extend_schema(responses=AgreementOutput)
    def get(self, request, agreement_id: str):
        _require_agreement_admin(request.user)
        agreement = selectors.agreement_access(caller=request.user, agreement_id=agreement_id)
        return Response(AgreementOutput(agreement).data)


class AgreementAcceptApi(APIView):
    @extend_schema(request=None, responses=AgreementOutput)
    def post(self, request, agreement_id: str):
        caller: Caller = request.user
        _require_agreement_admin(caller)
        agreement = selectors.agreement_access(caller=caller, agreement_id=agreement_id)
        agreement = services.agreement_accept(
            agreement=agreement,
            party=None if caller.is_hub_admin else caller.agency,
            actor=caller.actor,
        )
        return Response(AgreementOutput(agreement).data)


class AgreementStopInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class AgreementSuspendApi(APIView):
    @extend_schema(request=AgreementStopInput, responses=AgreementOutput)
    def post(self, request, agreement_id: str):
        caller: Caller = request.user
        _require_agreement_admin(caller)
        agreement = selectors.agreement_access(caller=caller, agreement_id=agreement_id)
        data = validated(AgreementStopInput, request)
        agreement = services.agreement_suspend(
            agreement=agreement, actor=caller.actor, reason=data["reason"]
        )
        return Response(AgreementOutput(agreement).data)


class AgreementTerminateApi(APIView):
    @extend_schema(request=AgreementStopInput, responses=AgreementOutput)
    def post(self, request, agreement_id: str):
        caller: Caller = request.user
        _require_agreement_admin(caller)
        agreement = selectors.agreement_access(caller=caller, agreement_id=agreement_id)
        data = validated(AgreementStopInput, request)
        agreement = services.agreement_terminate(
            agreement=agreement, actor=caller.actor, reason=data["reason"]
        )
        return Response(AgreementOutput(agreement).data)
