"""POST /api/v1/screen/ (DESIGN 5): shape, validation, roles and list visibility."""

import pytest

from agencies.models import Role
from tests.hub.screening.conftest import LIST, agreement_make

URL = "/api/v1/screen/"


def body(*names: str, schema: str = "Person", **extra) -> dict:
    properties = {"name": list(names)}
    properties.update(extra.pop("properties", {}))
    return {"queries": {"q1": {"schema": schema, "properties": properties}}, **extra}


@pytest.mark.django_db
def test_a_reader_screens_a_name_and_gets_the_yente_shape(
    originator_sees_register, originator, client_for
):
    response = client_for(originator, Role.READER).post(
        URL,
        body("Владимир Путин", properties={"country": ["RU"], "birthDate": ["1952-10-07"]}),
        format="json",
    )
    assert response.status_code == 200, response.content
    results = response.json()["responses"]["q1"]["results"]
    first = results[0]
    assert set(first) >= {"id", "caption", "schema", "lists", "score", "match", "explanation"}
    assert first["id"] == "ofac-35096"
    assert first["caption"] == "PUTIN, Vladimir Vladimirovich"
    assert first["schema"] == "Person"
    assert first["lists"] == [LIST]
    assert first["match"] is True
    assert first["score"] >= 0.9
    assert "birth date 1952-10-07 matches" in first["explanation"]


@pytest.mark.django_db
def test_several_queries_are_answered_under_their_keys(
    originator_sees_register, originator, client_for
):
    request = {
        "queries": {
            "person": {"schema": "Person", "properties": {"name": ["Vladimir Putin"]}},
            "company": {"schema": "Company", "properties": {"name": ["Romashka Trade GmbH"]}},
            "nobody": {"schema": "Person", "properties": {"name": ["Zacharias Quillfeather"]}},
        }
    }
    response = client_for(originator, Role.READER).post(URL, request, format="json")
    responses = response.json()["responses"]
    assert responses["person"]["results"][0]["id"] == "ofac-35096"
    assert responses["company"]["results"][0]["id"] == "ofac-90001"
    assert responses["company"]["results"][0]["match"] is True
    assert responses["nobody"]["results"] == []


@pytest.mark.django_db
def test_match_follows_the_threshold_and_limit_caps_results(
    originator_sees_register, originator, client_for
):
    client = client_for(originator, Role.READER)
    strict = client.post(URL, body("Vladimir Putin", threshold=0.99), format="json").json()
    result = strict["responses"]["q1"]["results"][0]
    assert result["id"] == "ofac-35096"
    assert result["match"] is False
    one = client.post(
        URL, body("Vladimir Putin", "Khalid Hamdan", limit=1, cutoff=0.0), format="json"
    ).json()
    assert len(one["responses"]["q1"]["results"]) == 1


@pytest.mark.django_db
def test_the_owning_authority_screens_against_its_own_list(register, client_for):
    response = client_for(register, Role.READER).post(URL, body("Vladimir Putin"), format="json")
    assert response.json()["responses"]["q1"]["results"][0]["lists"] == [LIST]


@pytest.mark.django_db
def test_an_outsider_with_no_visible_list_gets_no_results(register, outsider, client_for):
    response = client_for(outsider, Role.READER).post(URL, body("Vladimir Putin"), format="json")
    assert response.status_code == 200
    assert response.json() == {
        "responses": {"q1": {"results": [], "total": {"value": 0, "relation": "eq"}}}
    }


@pytest.mark.django_db
def test_an_agreement_scoped_to_other_lists_does_not_open_this_one(register, partner, client_for):
    agreement_make(register, partner, scope_lists=["EU-FSF"])
    response = client_for(partner, Role.READER).post(URL, body("Vladimir Putin"), format="json")
    assert response.json()["responses"]["q1"]["results"] == []


@pytest.mark.django_db
def test_a_suspended_agreement_shows_nothing(register, partner, client_for):
    agreement_make(register, partner, status="suspended")
    response = client_for(partner, Role.READER).post(URL, body("Vladimir Putin"), format="json")
    assert response.json()["responses"]["q1"]["results"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "request_body",
    [
        {},
        {"queries": {}},
        {"queries": {"q1": {"schema": "Person", "properties": {"name": []}}}},
        {"queries": {"q1": {"schema": "Person", "properties": {"name": ["   "]}}}},
        {"queries": {"q1": {"schema": "Spaceship", "properties": {"name": ["X"]}}}},
        {"queries": {"q1": {"properties": {"name": ["X"]}}}},
        {"queries": {"q1": {"schema": "Person", "properties": {"name": ["X"], "colour": ["red"]}}}},
        {"queries": {"q1": {"schema": "Person", "properties": {"name": ["X"]}}}, "threshold": 1.5},
        {"queries": {"q1": {"schema": "Person", "properties": {"name": ["X"]}}}, "limit": 0},
        {"queries": ["not", "an", "object"]},
    ],
)
def test_invalid_requests_get_the_documented_error_shape(
    originator_sees_register, originator, client_for, request_body
):
    response = client_for(originator, Role.READER).post(URL, request_body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert error["message"]
    assert isinstance(error["details"], dict)


@pytest.mark.django_db
def test_a_body_that_is_not_an_object_is_refused(originator, client_for):
    response = client_for(originator, Role.READER).post(URL, ["x"], format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"


@pytest.mark.django_db
def test_screening_needs_a_token(client):
    response = client.post(URL, body("Vladimir Putin"), content_type="application/json")
    assert response.status_code == 401
    assert "error" in response.json()


@pytest.mark.django_db
def test_any_property_of_the_schema_is_accepted_and_aliases_are_screened(
    originator_sees_register, originator, client_for
):
    request = body(
        "Someone Unrelated",
        properties={
            "alias": ["Khalid Yusuf Hamdan"],
            "address": ["Cairo"],
            "passportNumber": ["A 1234567"],
        },
    )
    response = client_for(originator, Role.READER).post(URL, request, format="json")
    assert response.status_code == 200, response.content
    first = response.json()["responses"]["q1"]["results"][0]
    assert first["id"] == "ofac-90003"
    assert first["match"] is True
    assert "identifier A1234567 matches" in first["explanation"]
