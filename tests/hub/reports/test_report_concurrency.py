"""Concurrent publishers of the same report version: exactly one wins, the others get 409.

Needs PostgreSQL (row locks across connections); SQLite serialises writers
with a database lock and is skipped, except in CI where PostgreSQL is required.
"""

import os
import threading

import pytest
from django.db import connection, connections

from agencies.models import Role
from hub.models import ReportVersion
from hub.reports.signing import report_sign
from tests.hub.reports.conftest import report_claims

URL = "/api/v1/reports/"
WRITERS = 6


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        if os.environ.get("HUB_REQUIRE_SERVICES") == "1":
            pytest.fail("this test needs PostgreSQL (set DATABASE_URL)")
        pytest.skip("needs PostgreSQL")


def post_all(clients, tokens) -> list:
    barrier = threading.Barrier(len(clients))
    results: list = [None] * len(clients)

    def run(index: int) -> None:
        try:
            barrier.wait()
            response = clients[index].post(URL, {"token": tokens[index]}, format="json")
            results[index] = (response.status_code, response.json())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("version", [1, 2])
def test_concurrent_publishers_of_one_version_get_one_201_and_409s(
    postgres_only, originator, client_for, version
):
    report = report_claims()
    if version == 2:
        response = client_for(originator, Role.PUBLISHER).post(
            URL, {"token": report_sign(agency=originator, claims=report)}, format="json"
        )
        assert response.status_code == 201
    tokens = [
        report_sign(agency=originator, claims={**report, "version": version, "title": f"Draft {i}"})
        for i in range(WRITERS)
    ]
    clients = [client_for(originator, Role.PUBLISHER) for _ in range(WRITERS)]

    results = post_all(clients, tokens)

    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [409] * (WRITERS - 1), results
    assert {body["error"]["code"] for status, body in results if status == 409} == {
        "duplicate_version"
    }
    assert ReportVersion.objects.filter(report_id=report["id"], version=version).count() == 1
