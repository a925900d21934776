"""The TAXII 2.1 protocol layer on plain data: negotiation, filters, versions, paging."""

from datetime import UTC, datetime, timedelta

import pytest

from sharing.taxii.protocol import (
    PAGE_MAX_LIMIT,
    Entry,
    Filters,
    PageRequest,
    TaxiiError,
    accept_allows_taxii,
    next_decode,
    page_request_parse,
    page_select,
    timestamp_format,
)

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def entries() -> list[Entry]:
    """Three objects; report A has two versions; B and C share one date_added."""
    return [
        Entry(id="report--a", version=at(0), date_added=at(1)),
        Entry(id="report--a", version=at(5), date_added=at(6)),
        Entry(id="identity--b", version=at(0), date_added=at(3)),
        Entry(id="report--c", version=at(2), date_added=at(3)),
    ]


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "application/taxii+json;version=2.1",
        "application/taxii+json; version=2.1",
        "application/taxii+json",
        "*/*",
        "application/*",
        "text/html, application/taxii+json;version=2.1;q=0.9",
    ],
)
def test_accept_headers_that_admit_taxii_2_1(header):
    assert accept_allows_taxii(header)


@pytest.mark.parametrize(
    "header",
    [
        "application/json",
        "application/taxii+json;version=2.0",
        "application/vnd.oasis.taxii+json; version=2.0",
        "application/stix+json;version=2.1",
        "text/html",
        "application/taxii+json;version=2.1;q=0",
    ],
)
def test_accept_headers_that_rule_taxii_2_1_out(header):
    assert not accept_allows_taxii(header)


def test_default_selects_the_last_version_of_each_object_in_date_added_order():
    page = page_select(entries(), PageRequest(filters=Filters(), limit=10))
    assert [(e.id, e.version) for e in page.entries] == [
        ("identity--b", at(0)),
        ("report--c", at(2)),
        ("report--a", at(5)),
    ]
    assert page.more is False
    assert page.next is None
    assert page.headers["X-TAXII-Date-Added-First"] == timestamp_format(at(3))
    assert page.headers["X-TAXII-Date-Added-Last"] == timestamp_format(at(6))


@pytest.mark.parametrize(
    ("versions", "expected"),
    [
        (("first",), [at(0)]),
        (("last",), [at(5)]),
        (("all",), [at(0), at(5)]),
        (("first", "last"), [at(0), at(5)]),
        ((timestamp_format(at(5)),), [at(5)]),
        ((timestamp_format(at(9)),), []),
    ],
)
def test_match_version(versions, expected):
    filters = Filters(ids=("report--a",), versions=versions)
    page = page_select(entries(), PageRequest(filters=filters, limit=10))
    assert [e.version for e in page.entries] == expected


def test_match_type_and_added_after():
    filters = Filters(types=("report",), added_after=at(3))
    page = page_select(entries(), PageRequest(filters=filters, limit=10))
    assert [e.id for e in page.entries] == ["report--a"]


def test_paging_with_next_returns_every_entry_once_even_when_date_added_ties():
    request = PageRequest(filters=Filters(versions=("all",)), limit=1)
    seen = []
    while True:
        page = page_select(entries(), request)
        seen.extend((e.id, e.version) for e in page.entries)
        assert len(page.entries) == 1
        if not page.more:
            assert page.next is None
            break
        assert page.next
        filters, after = next_decode(page.next)
        request = PageRequest(filters=filters, limit=1, after=after)
    assert sorted(seen) == sorted((e.id, e.version) for e in entries())
    assert len(seen) == len(set(seen)) == 4


def test_next_carries_the_filters_of_the_first_page():
    first = page_request_parse(
        {"match[type]": "report", "limit": "1"},
        allowed=("id", "type", "version", "spec_version"),
        default_versions=("last",),
    )
    page = page_select(entries(), first)
    follow = page_request_parse(
        {"next": page.next, "limit": "1"},
        allowed=("id", "type", "version", "spec_version"),
        default_versions=("last",),
    )
    assert follow.filters.types == ("report",)
    assert [e.id for e in page_select(entries(), follow).entries] == ["report--a"]


@pytest.mark.parametrize(
    "query",
    [
        {"limit": "0"},
        {"limit": "-3"},
        {"limit": "ten"},
        {"added_after": "yesterday"},
        {"added_after": "2026-11-01T12:00:00"},  # no time zone
        {"match[version]": "newest"},
        {"next": "not-a-token"},
    ],
)
def test_bad_parameters_are_taxii_400s(query):
    with pytest.raises(TaxiiError) as raised:
        page_request_parse(query, allowed=("version",), default_versions=("last",))
    assert raised.value.status == 400
    assert raised.value.body()["http_status"] == "400"


def test_a_limit_above_the_maximum_is_served_with_the_maximum():
    request = page_request_parse({"limit": "50000"}, allowed=(), default_versions=("last",))
    assert request.limit == PAGE_MAX_LIMIT


def test_unsupported_match_fields_are_ignored():
    request = page_request_parse(
        {"match[id]": "report--a", "match[colour]": "red"},
        allowed=("version",),  # the versions endpoint does not filter by id
        default_versions=("all",),
    )
    assert request.filters.ids == ()
    assert request.filters.versions == ("all",)
