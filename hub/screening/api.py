"""POST /api/v1/screen/ (DESIGN 5, the shape of yente's /match). One thin view."""

from typing import Any

from drf_spectacular.utils import extend_schema
from followthemoney import model
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.api.inputs import validated
from agencies.auth import require_role
from agencies.models import Role
from hub.screening.services import DEFAULT_CUTOFF, DEFAULT_THRESHOLD, screen_parties

MAX_QUERIES = 500
MAX_VALUES = 50
SCREENABLE_SCHEMATA = sorted(
    name
    for name, schema in model.schemata.items()
    if schema.matchable or name in ("Thing", "LegalEntity")
)


class ValuesField(serializers.ListField):
    """A property's values: a list of strings (a single string is taken as a list of one)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            child=serializers.CharField(max_length=500), max_length=MAX_VALUES, **kwargs
        )

    def to_internal_value(self, data: Any) -> list[str]:
        if isinstance(data, str):
            data = [data]
        return super().to_internal_value(data)


class ScreenQuery(serializers.Serializer):
    schema = serializers.ChoiceField(choices=SCREENABLE_SCHEMATA)
    properties = serializers.DictField(child=ValuesField(allow_empty=True))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Any property of the schema is accepted (as in yente); those screening
        # does not use (address, notes ...) are ignored. Unknown ones are errors.
        schema = model.get(attrs["schema"])
        properties = attrs["properties"]
        unknown = sorted(prop for prop in properties if prop not in schema.properties)
        if unknown:
            raise serializers.ValidationError(
                {"properties": f"not properties of {schema.name}: {', '.join(unknown)}"}
            )
        if not [name for name in properties.get("name", []) if name.strip()]:
            raise serializers.ValidationError(
                {"properties": {"name": "at least one non-blank name is required"}}
            )
        return attrs


class ScreenResult(serializers.Serializer):
    id = serializers.CharField()
    caption = serializers.CharField()
    schema = serializers.CharField()
    lists = serializers.ListField(child=serializers.CharField())
    score = serializers.FloatField()
    match = serializers.BooleanField()
    explanation = serializers.CharField()
    features = serializers.DictField(child=serializers.FloatField())
    matched_name = serializers.CharField()


class ScreenResponse(serializers.Serializer):
    results = ScreenResult(many=True)
    total = serializers.DictField()


class ScreenOutput(serializers.Serializer):
    responses = serializers.DictField(child=ScreenResponse())


class ScreenRequest(serializers.Serializer):
    queries = serializers.DictField(child=ScreenQuery(), allow_empty=False)
    threshold = serializers.FloatField(min_value=0.0, max_value=1.0, default=DEFAULT_THRESHOLD)
    cutoff = serializers.FloatField(min_value=0.0, max_value=1.0, default=DEFAULT_CUTOFF)
    limit = serializers.IntegerField(min_value=1, max_value=100, default=5)

    def validate_queries(self, value: dict) -> dict:
        if len(value) > MAX_QUERIES:
            raise serializers.ValidationError(f"at most {MAX_QUERIES} queries per request")
        return value


class ScreenApi(APIView):
    Input = ScreenRequest

    @extend_schema(request=Input, responses=ScreenOutput)
    def post(self, request):
        require_role(request.user, Role.READER)
        data = validated(self.Input, request)
        responses = screen_parties(
            agency=request.user.agency,
            queries=data["queries"],
            threshold=data["threshold"],
            limit=data["limit"],
            cutoff=data["cutoff"],
        )
        return Response({"responses": responses})
