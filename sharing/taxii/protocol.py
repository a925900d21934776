"""TAXII 2.1 (OASIS) as plain data: media types, filters, version selection and paging.

Nothing here knows what the objects are. A collection hands over `Entry`
rows (one per object version the caller may see: id, version, date added)
and builds the STIX objects of the page it is asked for; this module decides
which entries a request selects, in which order, and where the next page starts.

Paging is stateless: `next` is an opaque token holding the filters of the
first request and the position (date_added, id, version) of the last entry
returned, so a client that keeps following `next` gets every entry once.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
SPEC_VERSION = "2.1"
PAGE_DEFAULT_LIMIT = 100
PAGE_MAX_LIMIT = 1000
NEXT_PREFIX = "cdntaxii1:"


class TaxiiError(Exception):
    """A request the server answers with a TAXII error message (TAXII 2.1 section 3.6.1)."""

    def __init__(
        self,
        status: int,
        title: str,
        description: str = "",
        *,
        error_code: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.description = description
        self.error_code = error_code
        self.details = details or {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"title": self.title, "http_status": str(self.status)}
        if self.description:
            body["description"] = self.description
        if self.error_code:
            body["error_code"] = self.error_code
        if self.details:
            body["details"] = self.details
        return body


def bad_request(description: str, error_code: str, **details: Any) -> TaxiiError:
    return TaxiiError(400, "Bad request", description, error_code=error_code, details=details)


# --------------------------------------------------------------------------
# Content negotiation


def _media_range(item: str) -> tuple[str, dict[str, str]]:
    kind, *params = (part.strip() for part in item.split(";"))
    parsed = {}
    for param in params:
        name, _, value = param.partition("=")
        parsed[name.strip().lower()] = value.strip().strip('"')
    return kind.lower(), parsed


def accept_allows_taxii(header: str | None) -> bool:
    """Whether an Accept header admits `application/taxii+json;version=2.1`.

    No header, `*/*`, `application/*` and `application/taxii+json` without a
    version (the latest) are acceptable; another version, another type, or a
    range with q=0 are not (the server answers 406).
    """
    if header is None or not header.strip():
        return True
    for item in header.split(","):
        if not item.strip():
            continue
        kind, params = _media_range(item)
        try:
            if float(params.get("q", "1")) <= 0:
                continue
        except ValueError:
            continue
        if kind in ("*/*", "application/*"):
            return True
        if kind == "application/taxii+json" and params.get("version", SPEC_VERSION) == SPEC_VERSION:
            return True
    return False


# --------------------------------------------------------------------------
# Timestamps


def timestamp_format(moment: datetime) -> str:
    """STIX/TAXII timestamp: UTC, "Z", microsecond precision (always the same width)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def timestamp_parse(value: str, *, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise bad_request(
            f"{name} must be an RFC 3339 timestamp such as 2026-01-31T12:00:00.000Z.",
            "invalid_timestamp",
            parameter=name,
        ) from exc
    if moment.tzinfo is None:
        raise bad_request(
            f"{name} must carry a time zone (Z).", "invalid_timestamp", parameter=name
        )
    return moment.astimezone(UTC)


# --------------------------------------------------------------------------
# Entries and filters


@dataclass(frozen=True)
class Entry:
    """One version of one object, as one caller may see it."""

    id: str
    version: datetime  # the object's `modified` (or `created` when it has none)
    date_added: datetime  # when this version was added to the collection for this caller
    ref: Any = None  # the collection's handle for building the object
    media_type: str = STIX_MEDIA_TYPE
    spec_version: str = SPEC_VERSION

    @property
    def type(self) -> str:
        return self.id.split("--", 1)[0]

    def position(self) -> tuple[datetime, str, datetime]:
        return (self.date_added, self.id, self.version)

    def manifest_record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "date_added": timestamp_format(self.date_added),
            "version": timestamp_format(self.version),
            "media_type": self.media_type,
        }


@dataclass(frozen=True)
class Filters:
    added_after: datetime | None = None
    ids: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    versions: tuple[str, ...] = ("last",)  # "first" | "last" | "all" | timestamps
    spec_versions: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "added_after": timestamp_format(self.added_after) if self.added_after else None,
            "ids": list(self.ids),
            "types": list(self.types),
            "versions": list(self.versions),
            "spec_versions": list(self.spec_versions),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Filters:
        added_after = data.get("added_after")
        return cls(
            added_after=timestamp_parse(added_after, name="next") if added_after else None,
            ids=tuple(str(v) for v in data.get("ids", ())),
            types=tuple(str(v) for v in data.get("types", ())),
            versions=tuple(str(v) for v in data.get("versions", ("last",))),
            spec_versions=tuple(str(v) for v in data.get("spec_versions", ())),
        )


@dataclass(frozen=True)
class PageRequest:
    filters: Filters
    limit: int
    after: tuple[datetime, str, datetime] | None = None  # position of the last entry already sent


def _listed(query: Mapping[str, str], name: str) -> tuple[str, ...]:
    raw = query.get(name)
    if raw is None:
        return ()
    return tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))


def _versions(values: tuple[str, ...]) -> tuple[str, ...]:
    checked = []
    for value in values:
        if value in ("first", "last", "all"):
            checked.append(value)
        else:
            checked.append(timestamp_format(timestamp_parse(value, name="match[version]")))
    return tuple(checked)


def limit_parse(raw: str | None) -> int:
    if raw is None or raw == "":
        return PAGE_DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError as exc:
        raise bad_request("limit must be a positive integer.", "invalid_limit") from exc
    if limit < 1:
        raise bad_request("limit must be a positive integer.", "invalid_limit")
    # A larger limit is allowed and served with the server's maximum page size.
    return min(limit, PAGE_MAX_LIMIT)


def page_request_parse(
    query: Mapping[str, str], *, allowed: Iterable[str], default_versions: tuple[str, ...]
) -> PageRequest:
    """The filters and page of a request. Unsupported match fields are ignored, as TAXII asks.

    With `next`, the filters come from the token: a client following pages
    cannot drift from the filters the first page was selected with.
    """
    allowed = set(allowed)
    limit = limit_parse(query.get("limit"))
    token = query.get("next")
    if token:
        filters, after = next_decode(token)
        return PageRequest(filters=filters, limit=limit, after=after)
    added_after = query.get("added_after")
    filters = Filters(
        added_after=timestamp_parse(added_after, name="added_after") if added_after else None,
        ids=_listed(query, "match[id]") if "id" in allowed else (),
        types=_listed(query, "match[type]") if "type" in allowed else (),
        versions=(_versions(_listed(query, "match[version]")) or default_versions)
        if "version" in allowed
        else default_versions,
        spec_versions=_listed(query, "match[spec_version]") if "spec_version" in allowed else (),
    )
    return PageRequest(filters=filters, limit=limit)


def next_encode(filters: Filters, entry: Entry) -> str:
    position = [timestamp_format(entry.date_added), entry.id, timestamp_format(entry.version)]
    raw = json.dumps({"f": filters.as_json(), "p": position}, separators=(",", ":"))
    return base64.urlsafe_b64encode((NEXT_PREFIX + raw).encode()).decode().rstrip("=")


def next_decode(token: str) -> tuple[Filters, tuple[datetime, str, datetime]]:
    invalid = bad_request("next is not a value this server gave.", "invalid_next")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise invalid from exc
    if not raw.startswith(NEXT_PREFIX):
        raise invalid
    try:
        data = json.loads(raw[len(NEXT_PREFIX) :])
        added, object_id, version = data["p"]
        position = (
            timestamp_parse(added, name="next"),
            str(object_id),
            timestamp_parse(version, name="next"),
        )
        return Filters.from_json(data["f"]), position
    except (ValueError, KeyError, TypeError) as exc:
        raise invalid from exc


def _version_selected(entries: list[Entry], versions: Sequence[str]) -> list[Entry]:
    """Apply match[version] to the entries of one object."""
    if "all" in versions:
        return entries
    by_version = sorted(entries, key=lambda e: e.version)
    chosen: dict[tuple[datetime, datetime], Entry] = {}
    for wanted in versions:
        if wanted == "first":
            picks = [by_version[0]]
        elif wanted == "last":
            picks = [by_version[-1]]
        else:
            picks = [e for e in by_version if timestamp_format(e.version) == wanted]
        for entry in picks:
            chosen[(entry.version, entry.date_added)] = entry
    return list(chosen.values())


def entries_filtered(entries: Iterable[Entry], filters: Filters) -> list[Entry]:
    """The entries a request selects, in collection order (date added, id, version).

    Order of the filters: id, type and spec_version, then added_after, then
    match[version] among what is left (as OASIS' reference server does).
    """
    ids = set(filters.ids)
    types = set(filters.types)
    spec_versions = set(filters.spec_versions)
    by_id: dict[str, list[Entry]] = {}
    for entry in entries:
        if ids and entry.id not in ids:
            continue
        if types and entry.type not in types:
            continue
        if spec_versions and entry.spec_version not in spec_versions:
            continue
        if filters.added_after is not None and entry.date_added <= filters.added_after:
            continue
        by_id.setdefault(entry.id, []).append(entry)
    selected = [
        entry for group in by_id.values() for entry in _version_selected(group, filters.versions)
    ]
    return sorted(selected, key=Entry.position)


@dataclass
class Page:
    entries: list[Entry]
    more: bool
    next: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def envelope_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {"more": self.more}
        if self.next:
            fields["next"] = self.next
        return fields


def page_select(entries: Iterable[Entry], request: PageRequest) -> Page:
    """One page of the selected entries, with `next` whenever there are more."""
    selected = entries_filtered(entries, request.filters)
    if request.after is not None:
        selected = [entry for entry in selected if entry.position() > request.after]
    page_entries = selected[: request.limit]
    more = len(selected) > request.limit
    page = Page(entries=page_entries, more=more)
    if more:
        page.next = next_encode(request.filters, page_entries[-1])
    if page_entries:
        page.headers = {
            "X-TAXII-Date-Added-First": timestamp_format(min(e.date_added for e in page_entries)),
            "X-TAXII-Date-Added-Last": timestamp_format(max(e.date_added for e in page_entries)),
        }
    return page


def filters_for_object(filters: Filters, object_id: str) -> Filters:
    return replace(filters, ids=(object_id,), types=())
