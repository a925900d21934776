"""The OpenAPI schema is valid OpenAPI 3 and the docs page loads nothing from the internet."""

import re
from urllib.parse import urlparse

import pytest
from django.contrib.staticfiles import finders
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_schema_is_valid_openapi_3_with_the_api_paths():
    response = APIClient().get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # raises on anything that is not OpenAPI 3
    assert any(path.startswith("/api/v1/agencies/") for path in schema["paths"])


def test_api_docs_reference_no_external_host():
    response = APIClient().get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html.lower()
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    urls += re.findall(r"""["'](https?://[^"']+|//[^"']+)["']""", html)
    assert urls, "the docs page should load its scripts and styles"
    for url in urls:
        parsed = urlparse(url)
        assert parsed.netloc in ("", "testserver"), f"external resource on /api/docs/: {url}"


def test_swagger_ui_assets_are_our_own_static_files():
    html = APIClient().get("/api/docs/").content.decode()
    static_paths = re.findall(r"""["']/static/([^"']+)["']""", html)

    assert any(path.endswith(".js") for path in static_paths)
    for path in static_paths:
        assert finders.find(path), f"/static/{path} is not a static file of the project"
