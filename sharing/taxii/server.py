"""TAXII 2.1 over HTTP: discovery, one API root, read-only collections.

`TaxiiServer(...).urls()` gives the URL patterns; the collections are handed
in by whoever owns the content (the hub), so `sharing` stays ignorant of what
the objects are. Every endpoint needs the REST API's `Authorization: Token`,
answers `application/taxii+json;version=2.1` (406 when the Accept header
rules that out) and reports errors as TAXII error messages.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.views.decorators.csrf import csrf_exempt

from agencies.auth import Caller, TokenAuthentication
from agencies.errors import CordonError
from agencies.models import Agency

from .protocol import (
    SPEC_VERSION,
    TAXII_MEDIA_TYPE,
    Entry,
    Page,
    PageRequest,
    TaxiiError,
    accept_allows_taxii,
    filters_for_object,
    page_request_parse,
    page_select,
)

logger = logging.getLogger(__name__)

OBJECT_FILTERS = ("id", "type", "version", "spec_version")
OBJECT_BY_ID_FILTERS = ("version", "spec_version")
VERSIONS_FILTERS = ("spec_version",)


class TaxiiCollection(Protocol):
    """What a collection gives the server: the caller's entries and their objects."""

    id: str
    title: str
    description: str

    def entries(self, *, agency: Agency) -> list[Entry]:
        """Every object version `agency` may see in this collection (any order)."""
        ...

    def objects(self, *, agency: Agency, entries: Sequence[Entry]) -> list[dict[str, Any]]:
        """The STIX objects of `entries`, in the same order."""
        ...


def _json_response(body: dict[str, Any], status: int = 200, **headers: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, separators=(",", ":"), ensure_ascii=False),
        status=status,
        content_type=TAXII_MEDIA_TYPE,
    )
    for name, value in headers.items():
        response[name] = value
    # What a caller sees depends on who it is: never serve it from a shared cache.
    response["Cache-Control"] = "no-store"
    response["Vary"] = "Accept, Authorization"
    return response


def error_response(error: TaxiiError) -> HttpResponse:
    headers = {}
    if error.status == 401:
        headers["WWW-Authenticate"] = TokenAuthentication.keyword
    return _json_response(error.body(), error.status, **headers)


def _caller(request: HttpRequest) -> Caller:
    try:
        authenticated = TokenAuthentication().authenticate(request)
    except CordonError as error:
        raise TaxiiError(
            error.status,
            "Unauthorized" if error.status == 401 else "Forbidden",
            error.message,
            error_code=error.code,
        ) from error
    if authenticated is None:
        raise TaxiiError(
            401,
            "Unauthorized",
            "Send 'Authorization: Token <token>' (the same token as the REST API).",
            error_code="not_authenticated",
        )
    return authenticated[0]


def _query(request: HttpRequest) -> dict[str, str]:
    # A repeated parameter counts once, with its last value (as Django's QueryDict.get).
    return {name: request.GET.get(name, "") for name in request.GET}


class TaxiiServer:
    def __init__(
        self,
        *,
        title: str,
        description: str,
        root: str,
        root_title: str,
        root_description: str,
        collections: Sequence[TaxiiCollection],
        max_content_length: int,
        contact: str = "",
    ) -> None:
        self.title = title
        self.description = description
        self.contact = contact
        self.root = root
        self.root_title = root_title
        self.root_description = root_description
        self.collections = {collection.id: collection for collection in collections}
        self.max_content_length = max_content_length

    # -- plumbing -----------------------------------------------------------

    def _endpoint(
        self, handler: Callable[..., HttpResponse], *, writes_forbidden: bool = False
    ) -> Callable[..., HttpResponse]:
        """Wrap a GET handler: method, Accept, authentication, error messages."""

        @csrf_exempt
        def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            try:
                if request.method not in ("GET", "HEAD"):
                    if writes_forbidden and request.method in ("POST", "DELETE"):
                        _caller(request)
                        raise TaxiiError(
                            403,
                            "Forbidden",
                            "The collections of this server are read-only (can_write false).",
                            error_code="read_only",
                        )
                    raise TaxiiError(
                        405,
                        "Method not allowed",
                        "Only GET is supported here.",
                        error_code="method",
                    )
                if not accept_allows_taxii(request.headers.get("Accept")):
                    raise TaxiiError(
                        406,
                        "Not acceptable",
                        f"This server answers {TAXII_MEDIA_TYPE} only.",
                        error_code="not_acceptable",
                    )
                caller = _caller(request)
                return handler(request, caller, **kwargs)
            except TaxiiError as error:
                return error_response(error)

        return view

    def _collection(self, collection_id: str) -> TaxiiCollection:
        collection = self.collections.get(collection_id)
        if collection is None:
            raise TaxiiError(
                404, "Not found", f"No collection {collection_id!r}.", error_code="no_collection"
            )
        return collection

    def _root_url(self, request: HttpRequest) -> str:
        # Relative to the discovery URL, wherever the server is mounted.
        return request.build_absolute_uri(f"{self.root}/")

    def _collection_resource(self, collection: TaxiiCollection) -> dict[str, Any]:
        return {
            "id": collection.id,
            "title": collection.title,
            "description": collection.description,
            "can_read": True,
            "can_write": False,
            "media_types": [f"application/stix+json;version={SPEC_VERSION}"],
        }

    # -- endpoints ----------------------------------------------------------

    def discovery(self, request: HttpRequest, caller: Caller) -> HttpResponse:
        body: dict[str, Any] = {
            "title": self.title,
            "description": self.description,
            "default": self._root_url(request),
            "api_roots": [self._root_url(request)],
        }
        if self.contact:
            body["contact"] = self.contact
        return _json_response(body)

    def api_root(self, request: HttpRequest, caller: Caller) -> HttpResponse:
        return _json_response(
            {
                "title": self.root_title,
                "description": self.root_description,
                "versions": [TAXII_MEDIA_TYPE],
                "max_content_length": self.max_content_length,
            }
        )

    def status(self, request: HttpRequest, caller: Caller, status_id: str) -> HttpResponse:
        # Nothing is ever written through TAXII here, so there is no status to report.
        raise TaxiiError(404, "Not found", f"No status {status_id!r}.", error_code="no_status")

    def collection_list(self, request: HttpRequest, caller: Caller) -> HttpResponse:
        return _json_response(
            {"collections": [self._collection_resource(c) for c in self.collections.values()]}
        )

    def collection_get(
        self, request: HttpRequest, caller: Caller, collection_id: str
    ) -> HttpResponse:
        return _json_response(self._collection_resource(self._collection(collection_id)))

    def _page(
        self,
        request: HttpRequest,
        collection: TaxiiCollection,
        caller: Caller,
        *,
        allowed: Sequence[str],
        default_versions: tuple[str, ...],
        object_id: str | None = None,
    ) -> Page:
        page_request = page_request_parse(
            _query(request), allowed=allowed, default_versions=default_versions
        )
        entries = collection.entries(agency=caller.agency)
        if object_id is not None:
            # The object must exist for this caller at all, whatever the filters;
            # an object another agency sees is, to this caller, not there.
            entries = [entry for entry in entries if entry.id == object_id]
            if not entries:
                raise TaxiiError(
                    404,
                    "Not found",
                    f"No object {object_id!r} in collection {collection.id!r}.",
                    error_code="no_object",
                )
            page_request = PageRequest(
                filters=filters_for_object(page_request.filters, object_id),
                limit=page_request.limit,
                after=page_request.after,
            )
        return page_select(entries, page_request)

    def objects(self, request: HttpRequest, caller: Caller, collection_id: str) -> HttpResponse:
        collection = self._collection(collection_id)
        page = self._page(
            request, collection, caller, allowed=OBJECT_FILTERS, default_versions=("last",)
        )
        body = page.envelope_fields()
        body["objects"] = collection.objects(agency=caller.agency, entries=page.entries)
        return _json_response(body, **page.headers)

    def object_get(
        self, request: HttpRequest, caller: Caller, collection_id: str, object_id: str
    ) -> HttpResponse:
        collection = self._collection(collection_id)
        page = self._page(
            request,
            collection,
            caller,
            allowed=OBJECT_BY_ID_FILTERS,
            default_versions=("last",),
            object_id=object_id,
        )
        body = page.envelope_fields()
        body["objects"] = collection.objects(agency=caller.agency, entries=page.entries)
        return _json_response(body, **page.headers)

    def object_versions(
        self, request: HttpRequest, caller: Caller, collection_id: str, object_id: str
    ) -> HttpResponse:
        collection = self._collection(collection_id)
        page = self._page(
            request,
            collection,
            caller,
            allowed=VERSIONS_FILTERS,
            default_versions=("all",),
            object_id=object_id,
        )
        body = page.envelope_fields()
        body["versions"] = [entry.manifest_record()["version"] for entry in page.entries]
        return _json_response(body, **page.headers)

    def manifest(self, request: HttpRequest, caller: Caller, collection_id: str) -> HttpResponse:
        collection = self._collection(collection_id)
        page = self._page(
            request, collection, caller, allowed=OBJECT_FILTERS, default_versions=("last",)
        )
        body = page.envelope_fields()
        body["objects"] = [entry.manifest_record() for entry in page.entries]
        return _json_response(body, **page.headers)

    def urls(self) -> list[URLPattern]:
        """URL patterns to include at `taxii2/`."""
        root = self.root
        collection = f"{root}/collections/<str:collection_id>/"
        return [
            path("", self._endpoint(self.discovery), name="taxii-discovery"),
            path(f"{root}/", self._endpoint(self.api_root), name="taxii-api-root"),
            path(
                f"{root}/status/<str:status_id>/",
                self._endpoint(self.status),
                name="taxii-status",
            ),
            path(
                f"{root}/collections/",
                self._endpoint(self.collection_list),
                name="taxii-collections",
            ),
            path(collection, self._endpoint(self.collection_get), name="taxii-collection"),
            path(
                f"{collection}objects/",
                self._endpoint(self.objects, writes_forbidden=True),
                name="taxii-objects",
            ),
            path(
                f"{collection}objects/<str:object_id>/",
                self._endpoint(self.object_get, writes_forbidden=True),
                name="taxii-object",
            ),
            path(
                f"{collection}objects/<str:object_id>/versions/",
                self._endpoint(self.object_versions),
                name="taxii-object-versions",
            ),
            path(f"{collection}manifest/", self._endpoint(self.manifest), name="taxii-manifest"),
        ]
