"""Validation of API request bodies, shared by every app's views."""

from rest_framework import serializers

from agencies.errors import MalformedRequest


def validated(input_class: type[serializers.Serializer], request) -> dict:
    """The body validated by `input_class`; a 400 in the error shape otherwise."""
    if not isinstance(request.data, dict):
        raise MalformedRequest("The body must be a JSON object.", code="invalid_request")
    serializer = input_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
