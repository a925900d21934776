"""Reports API (DESIGN 6): publish, list, read, retract. One thin view per operation."""

from collections.abc import Iterable
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.api.inputs import validated
from agencies.auth import require_role
from agencies.errors import MalformedRequest
from agencies.models import Role

from . import selectors, services


class ReportTokenInput(serializers.Serializer):
    # Kept exactly as sent: the hub stores the signed document byte for byte.
    token = serializers.CharField(trim_whitespace=False)


class ReportDeliveryOutput(serializers.Serializer):
    """The shape of a delivery in report responses (documents `delivery_summaries`)."""

    recipient = serializers.CharField(source="recipient.code")
    version = serializers.IntegerField(source="item_version")
    event = serializers.CharField()
    agreement = serializers.UUIDField(source="agreement_id", allow_null=True)
    state = serializers.CharField()
    withheld_classes = serializers.ListField(child=serializers.CharField())
    reissued = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)


_DATETIME = serializers.DateTimeField()


def delivery_summaries(deliveries: Iterable[Any]) -> list[dict[str, Any]]:
    """Deliveries as ReportDeliveryOutput describes them, built without DRF's nested
    serializers: every publish answers with them, and instantiating those cost
    more CPU than storing the deliveries."""
    return [
        {
            "recipient": delivery.recipient.code,
            "version": delivery.item_version,
            "event": delivery.event,
            "agreement": None if delivery.agreement_id is None else str(delivery.agreement_id),
            "state": str(delivery.state),
            "withheld_classes": list(delivery.withheld_classes),
            "reissued": delivery.reissued,
            "created_at": _DATETIME.to_representation(delivery.created_at),
            "delivered_at": _DATETIME.to_representation(delivery.delivered_at),
        }
        for delivery in deliveries
    ]


def _screening_summary(result: Any) -> Any:
    """What screening returned, in JSON terms (its shape belongs to hub.screening)."""
    if result is None or isinstance(result, dict | list | str | int | bool):
        return result
    if isinstance(result, Iterable):
        return {"hits": len(list(result))}
    return str(result)


class ReportSummaryOutput(serializers.Serializer):
    id = serializers.UUIDField()
    version = serializers.IntegerField(source="current_version")
    status = serializers.CharField()
    title = serializers.CharField()
    tlp = serializers.CharField()
    originator = serializers.CharField(source="originator.code")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ReportVersionOutput(serializers.Serializer):
    version = serializers.IntegerField()
    title = serializers.CharField()
    tlp = serializers.CharField()
    kid = serializers.CharField()
    issued_at = serializers.DateTimeField()
    received_at = serializers.DateTimeField()
    token = serializers.CharField()
    claims = serializers.JSONField()
    countries = serializers.ListField(child=serializers.CharField())
    hs_chapters = serializers.ListField(child=serializers.CharField())
    control_codes = serializers.ListField(child=serializers.CharField())
    red_flags = serializers.ListField(child=serializers.CharField())
    disclosures = serializers.JSONField()


class ReportRetractionOutput(serializers.Serializer):
    report = serializers.UUIDField(source="report_id")
    version = serializers.IntegerField()
    reason = serializers.CharField()
    kid = serializers.CharField()
    issued_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    token = serializers.CharField()


class ReportListApi(APIView):
    class ReportPublishOutput(serializers.Serializer):
        """The publish response's shape (the view builds it directly, see `post`)."""

        id = serializers.UUIDField()
        version = serializers.IntegerField(source="current_version")
        status = serializers.CharField()
        screening = serializers.JSONField()
        deliveries = ReportDeliveryOutput(many=True)

    class Pagination(LimitOffsetPagination):
        default_limit = 50
        max_limit = 500

    class ReportReceivedSummaryOutput(serializers.Serializer):
        id = serializers.CharField()
        version = serializers.IntegerField()
        title = serializers.CharField(allow_null=True)
        tlp = serializers.CharField(allow_null=True)
        originator = serializers.CharField()
        withheld_classes = serializers.ListField(child=serializers.CharField())
        delivered_at = serializers.DateTimeField()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "view",
                str,
                enum=["own", "received"],
                description="own (default): the agency's reports; received: those delivered to it",
            ),
            OpenApiParameter("limit", int, description="1..500, default 50"),
            OpenApiParameter("offset", int),
        ],
        responses=ReportSummaryOutput(many=True),
    )
    def get(self, request):
        require_role(request.user, Role.READER)
        agency = request.user.agency
        paginator = self.Pagination()
        view = request.query_params.get("view", "own")
        if view == "received":
            page = paginator.paginate_queryset(
                selectors.received_report_list(agency=agency), request, view=self
            )
            rows = [selectors.received_summary(delivery) for delivery in page]
            return paginator.get_paginated_response(
                self.ReportReceivedSummaryOutput(rows, many=True).data
            )
        if view != "own":
            raise MalformedRequest('view must be "own" or "received".', code="invalid_view")
        page = paginator.paginate_queryset(
            selectors.report_list_for(agency=agency), request, view=self
        )
        return paginator.get_paginated_response(ReportSummaryOutput(page, many=True).data)

    @extend_schema(request=ReportTokenInput, responses={201: ReportPublishOutput})
    def post(self, request):
        require_role(request.user, Role.PUBLISHER)
        data = validated(ReportTokenInput, request)
        report = services.report_publish(
            caller_agency=request.user.agency, token=data["token"], actor=request.user.actor
        )
        # ReportPublishOutput's fields, built directly: this answers every publish.
        body = {
            "id": str(report.pk),
            "version": report.current_version,
            "status": str(report.status),
            "screening": _screening_summary(report.screening),
            "deliveries": delivery_summaries(report.deliveries),
        }
        return Response(body, status=status.HTTP_201_CREATED)


class ReportDetailApi(APIView):
    class ReportOwnOutput(ReportSummaryOutput):
        view = serializers.SerializerMethodField()
        token = serializers.SerializerMethodField()
        claims = serializers.SerializerMethodField()
        versions = serializers.SerializerMethodField()
        retraction = serializers.SerializerMethodField()
        deliveries = serializers.SerializerMethodField()

        def get_view(self, report) -> str:
            return "originator"

        def _current(self, report):
            return self.context["versions"][-1]

        def get_token(self, report) -> str:
            return self._current(report).token

        def get_claims(self, report) -> dict:
            return self._current(report).claims

        def get_versions(self, report) -> list:
            return ReportVersionOutput(self.context["versions"], many=True).data

        def get_retraction(self, report) -> dict | None:
            retraction = getattr(report, "retraction", None)
            return ReportRetractionOutput(retraction).data if retraction else None

        @extend_schema_field(ReportDeliveryOutput(many=True))
        def get_deliveries(self, report) -> list:
            return delivery_summaries(selectors.report_deliveries(report=report))

    class ReportReceivedOutput(serializers.Serializer):
        id = serializers.CharField(source="report_id")
        view = serializers.SerializerMethodField()
        version = serializers.IntegerField()
        status = serializers.CharField()
        originator = serializers.CharField()
        token = serializers.CharField()
        claims = serializers.JSONField()
        withheld_classes = serializers.ListField(child=serializers.CharField())
        agreement = serializers.CharField(allow_null=True)
        delivered_at = serializers.DateTimeField()
        reissued = serializers.BooleanField()
        retraction_token = serializers.CharField(allow_null=True)
        versions_received = serializers.ListField(child=serializers.IntegerField())

        def get_view(self, view) -> str:
            return "recipient"

    @extend_schema(responses=ReportOwnOutput)
    def get(self, request, report_id):
        require_role(request.user, Role.READER)
        view = selectors.report_view_for(agency=request.user.agency, report_id=report_id)
        if isinstance(view, selectors.ReceivedView):
            return Response(self.ReportReceivedOutput(view).data)
        report = view
        versions = list(selectors.report_versions(report=report))
        return Response(self.ReportOwnOutput(report, context={"versions": versions}).data)


class ReportRetractApi(APIView):
    @extend_schema(request=ReportTokenInput, responses={201: ReportRetractionOutput})
    def post(self, request, report_id):
        require_role(request.user, Role.PUBLISHER)
        data = validated(ReportTokenInput, request)
        retraction = services.report_retract(
            caller_agency=request.user.agency,
            report_id=report_id,
            token=data["token"],
            actor=request.user.actor,
        )
        body = ReportRetractionOutput(retraction).data
        body["deliveries"] = delivery_summaries(retraction.deliveries)
        return Response(body, status=status.HTTP_201_CREATED)
