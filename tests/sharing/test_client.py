"""The reference partner client against a live hub (pytest-django's live_server)."""

import json
import subprocess
import sys

import pytest
from django.db import transaction

from agencies.models import Role
from sharing.client import main, sync
from sharing.models import Delivery
from sharing.services.distribution import item_distribute, items_distribute, retraction_distribute
from sharing.services.webhooks import delivery_attempt, webhook_endpoint_register
from tests.factories import TEST_ACTOR, token_make
from tests.sharing.builders import (
    agreement_make,
    report_item,
    retraction_item,
    sanctions_item,
)

pytestmark = pytest.mark.django_db(transaction=True)


def publish(item):
    with transaction.atomic():
        return item_distribute(item=item, actor=TEST_ACTOR)


def test_sync_verifies_every_kind_of_item_and_resumes(live_server, tmp_path, originator, partner):
    agreement_make(originator, partner, withheld=["person_identity"])
    first = report_item(originator)
    publish(first)
    publish(report_item(originator, report_id=first.item_id, version=2))
    with transaction.atomic():
        items_distribute(items=[sanctions_item(originator, entity_id="ofac-1")], actor=TEST_ACTOR)
    out = tmp_path / "items.jsonl"
    token = token_make(partner, Role.READER)
    lines: list[str] = []

    counts = sync(hub=live_server.url, token=token, out=out, limit=2, echo=lines.append)

    assert counts == {"items": 3, "verified": 3, "failed": 0}
    assert lines[0].startswith("seq=1 originator=DE-CUSTOMS kind=report")
    assert "version=2" in lines[1]
    assert "verified withheld=person_identity" in lines[0]
    assert "undisclosed_fields=1" in lines[0]
    assert "kind=sanctions_update" in lines[2]
    with transaction.atomic():
        retraction_distribute(
            item=retraction_item(originator, report_id=first.item_id, version=2), actor=TEST_ACTOR
        )
    lines.clear()
    counts = sync(hub=live_server.url, token=token, out=out, echo=lines.append)
    assert counts == {"items": 1, "verified": 1, "failed": 0}
    assert lines[0].startswith("seq=4 originator=DE-CUSTOMS kind=retraction")
    stored = [json.loads(line) for line in out.read_text().splitlines()]
    assert [item["seq"] for item in stored] == [1, 2, 3, 4]
    assert all(item["verified"] for item in stored)


def test_reissued_items_and_hub_notices_verify_with_the_hub_keys(
    live_server, tmp_path, originator, partner
):
    agreement_make(originator, partner, attribution="must-not", scope_countries=["AE"])
    first = report_item(originator)
    publish(first)
    publish(report_item(originator, report_id=first.item_id, version=2, countries=("CN",)))
    lines: list[str] = []
    counts = sync(
        hub=live_server.url,
        token=token_make(partner, Role.READER),
        out=tmp_path / "o.jsonl",
        echo=lines.append,
    )
    assert counts["verified"] == 2
    assert "originator=an agency of DE kind=report" in lines[0]
    assert "originator=an agency of DE kind=retraction" in lines[1]


def test_a_tampered_token_is_reported_not_verified(live_server, tmp_path, originator, partner):
    agreement_make(originator, partner, withheld=["narrative"])
    [delivery] = publish(report_item(originator))
    other = report_item(originator)  # a disclosure from another report does not match any _sd
    Delivery.objects.filter(pk=delivery.pk).update(
        token=delivery.token + other.disclosures[0].encoded + "~"
    )
    lines: list[str] = []
    counts = sync(
        hub=live_server.url,
        token=token_make(partner, Role.READER),
        out=tmp_path / "o.jsonl",
        echo=lines.append,
    )
    assert counts == {"items": 1, "verified": 0, "failed": 1}
    assert "NOT VERIFIED" in lines[0]


def test_cli_sync_and_verify_webhook(
    live_server, tmp_path, originator, partner, receivers, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    agreement_make(originator, partner)
    [receiver] = receivers(1)
    webhook_endpoint_register(agency=partner, url=receiver.url, events=[], actor=TEST_ACTOR)
    [delivery] = publish(report_item(originator))
    assert delivery_attempt(delivery_id=delivery.pk) == "delivered"
    out = tmp_path / "items.jsonl"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sharing.client",
            "sync",
            "--hub",
            live_server.url,
            "--token",
            token_make(partner, Role.READER),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "synced items=1 verified=1 not_verified=0" in result.stdout

    [request] = receiver.requests
    headers, body = tmp_path / "headers.json", tmp_path / "body.bin"
    headers.write_text(json.dumps(request.headers))
    body.write_bytes(request.body)
    args = ["verify-webhook", "--hub", live_server.url, "--headers", str(headers)]
    assert main([*args, "--body", str(body)]) == 0
    body.write_bytes(request.body.replace(b'"seq":1', b'"seq":2'))
    assert main([*args, "--body", str(body)]) == 1


def test_sync_resumes_after_a_torn_last_line(live_server, tmp_path, originator, partner):
    agreement_make(originator, partner)
    for _ in range(3):
        publish(report_item(originator))
    out = tmp_path / "items.jsonl"
    token = token_make(partner, Role.READER)
    sync(hub=live_server.url, token=token, out=out, limit=2, verify=False)
    lines = out.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:2]) + lines[2][:40])  # crash while writing seq 3
    counts = sync(hub=live_server.url, token=token, out=out, verify=False)
    assert counts["items"] == 1
    assert [json.loads(line)["seq"] for line in out.read_text().splitlines()] == [1, 2, 3]
