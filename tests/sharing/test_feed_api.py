"""GET /api/v1/feed/ (DESIGN 4) and the hub JWKS."""

import pytest
from django.db import transaction

from agencies.models import Role
from sharing.cursor import cursor_encode
from sharing.services.distribution import item_distribute
from tests.factories import TEST_ACTOR
from tests.sharing.builders import agreement_make, report_item

pytestmark = pytest.mark.django_db


def publish(originator, count=1):
    items = []
    for _ in range(count):
        item = report_item(originator)
        with transaction.atomic():
            item_distribute(item=item, actor=TEST_ACTOR)
        items.append(item)
    return items


def test_reader_pages_its_feed_in_order_exactly_once(originator, partner, client_for):
    agreement = agreement_make(originator, partner, withheld=["commercial"])
    items = publish(originator, 5)
    client = client_for(partner, Role.READER)
    seen = []
    after = None
    while True:
        params = {"limit": 2, **({"after": after} if after else {})}
        body = client.get("/api/v1/feed/", params).json()
        seen.extend(body["items"])
        after = body["next"]
        if not body["more"]:
            break
    assert [i["seq"] for i in seen] == [1, 2, 3, 4, 5]
    assert [i["id"] for i in seen] == [item.item_id for item in items]
    first = seen[0]
    assert set(first) >= {"seq", "type", "id", "version", "token", "agreement", "delivered_at"}
    assert first["type"] == "report"
    assert first["agreement"] == str(agreement.pk)
    assert first["withheld"] == ["commercial"]
    assert first["handling"]["attribution"] == "must"
    assert first["handling"]["permitted_actions"] == agreement.permitted_actions
    assert first["token"].startswith(items[0].issuer_jwt + "~")
    # Polling at the end returns nothing new and a cursor to keep.
    again = client.get("/api/v1/feed/", {"after": after}).json()
    assert again == {"items": [], "next": after, "more": False}


def test_the_originator_and_an_outsider_see_an_empty_feed(
    originator, partner, outsider, client_for
):
    agreement_make(originator, partner)
    publish(originator, 2)
    for agency in (originator, outsider):
        body = client_for(agency, Role.READER).get("/api/v1/feed/").json()
        assert body["items"] == []
        assert body["more"] is False


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"after": "not-a-cursor"}, "invalid_cursor"),
        ({"after": "Zm9vOjE"}, "invalid_cursor"),
        ({"limit": "0"}, "invalid_limit"),
        ({"limit": "1001"}, "invalid_limit"),
        ({"limit": "ten"}, "invalid_limit"),
    ],
)
def test_bad_cursor_or_limit_is_a_400_in_the_error_shape(partner, client_for, params, code):
    response = client_for(partner, Role.READER).get("/api/v1/feed/", params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


def test_feed_needs_a_token(client):
    response = client.get("/api/v1/feed/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_limit_1000_is_accepted(originator, partner, client_for):
    agreement_make(originator, partner)
    publish(originator, 1)
    body = client_for(partner, Role.READER).get("/api/v1/feed/", {"limit": 1000}).json()
    assert len(body["items"]) == 1


def test_cursor_from_a_seq_resumes_after_it(originator, partner, client_for):
    agreement_make(originator, partner)
    publish(originator, 3)
    body = client_for(partner, Role.READER).get("/api/v1/feed/", {"after": cursor_encode(2)})
    assert [i["seq"] for i in body.json()["items"]] == [3]


def test_hub_jwks_is_public_and_holds_ed25519_keys(client):
    body = client.get("/.well-known/jwks.json").json()
    assert body["keys"]
    for key in body["keys"]:
        assert (key["kty"], key["crv"], key["alg"]) == ("OKP", "Ed25519", "EdDSA")
        assert "d" not in key


def test_database_built_page_equals_the_python_built_page(originator, partner, narrow_partner):
    """On PostgreSQL the page JSON is built in SQL; it must match the Python path exactly."""
    import json

    from sharing.feed import feed_page, feed_page_json

    agreement_make(originator, partner, withheld=["narrative"], legal_basis='MoU 2026/7 "x"')
    agreement_make(originator, narrow_partner, attribution="must-not")
    publish(originator, 3)
    for agency in (partner, narrow_partner):
        for after, limit in ((0, 2), (2, 1000), (3, 5)):
            page = feed_page(agency=agency, after=after, limit=limit)
            expected = {"items": page.items, "next": page.next, "more": page.more}
            assert json.loads(feed_page_json(agency=agency, after=after, limit=limit)) == expected
