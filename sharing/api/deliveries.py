"""The partner feed, webhook registration and the hub JWKS (DESIGN 4, 2.3, 6)."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.api.inputs import validated
from agencies.auth import require_admin_of, require_role
from agencies.models import Role
from sharing.feed import cursor_decode, feed_limit_parse, feed_page_json
from sharing.items import EVENTS
from sharing.models import WebhookEndpoint
from sharing.services.hub_key import hub_jwks
from sharing.services.webhooks import webhook_endpoint_register


class FeedItemOutput(serializers.Serializer):
    seq = serializers.IntegerField()
    type = serializers.CharField()
    id = serializers.CharField()
    version = serializers.IntegerField()
    token = serializers.CharField()
    agreement = serializers.CharField(allow_null=True)
    delivered_at = serializers.DateTimeField()
    withheld = serializers.ListField(
        child=serializers.CharField(), help_text="redaction classes left out of the token"
    )
    handling = serializers.DictField(
        allow_null=True, help_text="the agreement's handling terms (IEP 2.0 values)"
    )


class FeedOutput(serializers.Serializer):
    items = FeedItemOutput(many=True)
    next = serializers.CharField()
    more = serializers.BooleanField()


class FeedApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("after", str, description="cursor from the previous page's next"),
            OpenApiParameter("limit", int, description="1..1000, default 100"),
        ],
        responses=FeedOutput,
    )
    def get(self, request):
        require_role(request.user, Role.READER)
        after = cursor_decode(request.query_params.get("after"))
        limit = feed_limit_parse(request.query_params.get("limit"))
        # The hot path of every partner's sync: the body comes ready-made.
        body = feed_page_json(agency=request.user.agency, after=after, limit=limit)
        return HttpResponse(body, content_type="application/json")


class WebhookOutput(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    events = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()
    disabled_at = serializers.DateTimeField()
    disabled_reason = serializers.CharField()
    active = serializers.SerializerMethodField()

    def get_active(self, endpoint: WebhookEndpoint) -> bool:
        return endpoint.disabled_at is None


class WebhookListApi(APIView):
    class Input(serializers.Serializer):
        url = serializers.URLField(max_length=500)
        events = serializers.ListField(
            child=serializers.ChoiceField(choices=EVENTS), required=False, default=list
        )

        class Meta:
            ref_name = "WebhookRegisterInput"

    @extend_schema(responses=WebhookOutput(many=True))
    def get(self, request):
        require_admin_of(request.user, request.user.agency)
        endpoints = WebhookEndpoint.objects.filter(agency=request.user.agency)
        return Response(WebhookOutput(endpoints, many=True).data)

    @extend_schema(request=Input, responses={201: WebhookOutput})
    def post(self, request):
        require_admin_of(request.user, request.user.agency)
        data = validated(self.Input, request)
        endpoint = webhook_endpoint_register(
            agency=request.user.agency,
            url=data["url"],
            events=data["events"],
            actor=request.user.actor,
        )
        return Response(WebhookOutput(endpoint).data, status=status.HTTP_201_CREATED)


class HubJwksApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses=OpenApiTypes.OBJECT, description="The hub's public Ed25519 keys")
    def get(self, request):
        return Response(hub_jwks())
