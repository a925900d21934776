"""Agencies, keys, JWKS and tokens (DESIGN 6). One thin view per operation."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies import selectors, services
from agencies.api.inputs import validated
from agencies.auth import require_admin_of, require_hub_admin, require_role
from agencies.errors import MalformedRequest
from agencies.models import AgencyKind, Role, SigningKey


class AgencyOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    country = serializers.CharField()
    kind = serializers.CharField()


class AgencyListApi(APIView):
    class Input(serializers.Serializer):
        code = serializers.RegexField(r"^[A-Z0-9][A-Z0-9-]{1,39}$")
        name = serializers.CharField(max_length=200)
        country = serializers.RegexField(r"^[A-Za-z]{2}$")
        kind = serializers.ChoiceField(choices=AgencyKind.choices)

    @extend_schema(responses=AgencyOutput(many=True))
    def get(self, request):
        return Response(AgencyOutput(selectors.agency_list(), many=True).data)

    @extend_schema(request=Input, responses={201: AgencyOutput})
    def post(self, request):
        require_hub_admin(request.user)
        data = validated(self.Input, request)
        agency = services.agency_create(**data, actor=request.user.actor)
        return Response(AgencyOutput(agency).data, status=status.HTTP_201_CREATED)


class KeyOutput(serializers.Serializer):
    kid = serializers.CharField()
    jwk = serializers.JSONField(source="public_jwk")
    valid_from = serializers.DateTimeField()
    valid_until = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField()
    custodial = serializers.BooleanField()
    status = serializers.SerializerMethodField()

    def get_status(self, key: SigningKey) -> str:
        return key.status_at(timezone.now())


class KeyListApi(APIView):
    class Input(serializers.Serializer):
        kid = serializers.CharField(required=False, max_length=120)
        jwk = serializers.JSONField(required=False)
        generate = serializers.BooleanField(required=False, default=False)
        label = serializers.RegexField(r"^[A-Za-z0-9._-]{1,60}$", required=False)
        valid_from = serializers.DateTimeField(required=False)
        valid_until = serializers.DateTimeField(required=False, allow_null=True)

    @extend_schema(responses=KeyOutput(many=True))
    def get(self, request, code: str):
        agency = selectors.agency_get(code=code)
        return Response(KeyOutput(selectors.signing_key_list(agency=agency), many=True).data)

    @extend_schema(request=Input, responses={201: KeyOutput})
    def post(self, request, code: str):
        agency = selectors.agency_get(code=code)
        require_admin_of(request.user, agency)
        data = validated(self.Input, request)
        window = {"valid_from": data.get("valid_from"), "valid_until": data.get("valid_until")}
        if data["generate"]:
            key = services.key_generate(
                agency=agency, actor=request.user.actor, label=data.get("label"), **window
            )
        elif "kid" in data and "jwk" in data:
            key = services.key_register(
                agency=agency,
                kid=data["kid"],
                jwk_value=data["jwk"],
                actor=request.user.actor,
                **window,
            )
        else:
            raise MalformedRequest(
                'Send {"kid", "jwk"} to register a key or {"generate": true}.',
                code="invalid_request",
            )
        return Response(KeyOutput(key).data, status=status.HTTP_201_CREATED)


class KeyRevokeApi(APIView):
    class Input(serializers.Serializer):
        revoked_at = serializers.DateTimeField(required=False)

    @extend_schema(request=Input, responses=KeyOutput)
    def post(self, request, code: str, kid: str):
        agency = selectors.agency_get(code=code)
        require_admin_of(request.user, agency)
        key = get_object_or_404(SigningKey, agency=agency, kid=kid)
        data = validated(self.Input, request)
        key = services.key_revoke(
            key=key, actor=request.user.actor, revoked_at=data.get("revoked_at")
        )
        return Response(KeyOutput(key).data)


class JwksApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get(self, request, code: str):
        agency = selectors.agency_get(code=code)
        return Response(selectors.jwks_for(agency=agency))


class TokenCreateApi(APIView):
    class Input(serializers.Serializer):
        name = serializers.CharField(max_length=100)
        role = serializers.ChoiceField(choices=Role.choices)
        expires_at = serializers.DateTimeField(required=False, allow_null=True)
        allowed_ips = serializers.ListField(child=serializers.CharField(), required=False)

    class Output(serializers.Serializer):
        id = serializers.IntegerField(source="pk")
        name = serializers.CharField()
        role = serializers.CharField()
        agency = serializers.CharField(source="agency.code")
        prefix = serializers.CharField()
        expires_at = serializers.DateTimeField()
        allowed_ips = serializers.ListField()
        created_at = serializers.DateTimeField()

    @extend_schema(request=Input, responses={201: Output})
    def post(self, request, code: str):
        agency = selectors.agency_get(code=code)
        require_admin_of(request.user, agency)
        data = validated(self.Input, request)
        if data["role"] == Role.HUB_ADMIN:
            require_hub_admin(request.user)
        token, secret = services.token_create(agency=agency, actor=request.user.actor, **data)
        return Response(
            {"token": secret, **self.Output(token).data}, status=status.HTTP_201_CREATED
        )


class AuditListApi(APIView):
    """GET audit/: the hash-chained audit trail (DESIGN 6, 7), oldest first."""

    class Pagination(LimitOffsetPagination):
        default_limit = 100
        max_limit = 1000

    class Output(serializers.Serializer):
        seq = serializers.IntegerField()
        at = serializers.DateTimeField()
        actor = serializers.CharField()
        agency = serializers.CharField()
        action = serializers.CharField()
        object_type = serializers.CharField()
        object_id = serializers.CharField()
        before = serializers.JSONField()
        after = serializers.JSONField()
        prev_hash = serializers.CharField()
        hash = serializers.CharField()

    @extend_schema(responses=Output(many=True))
    def get(self, request):
        require_role(request.user, Role.AGENCY_ADMIN)
        records = selectors.audit_record_list(
            caller=request.user,
            agency_code=request.query_params.get("agency", "").strip().upper(),
            action=request.query_params.get("action", "").strip(),
        )
        paginator = self.Pagination()
        page = paginator.paginate_queryset(records, request, view=self)
        return paginator.get_paginated_response(self.Output(page, many=True).data)
