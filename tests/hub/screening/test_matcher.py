# ruff: noqa: RUF001 - names in other scripts on purpose
"""The matcher on the real 2024 OFAC list: scripts, name variants, evidence, explanations."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.screening.matcher import PartyQuery, ScreeningIndex

PUTIN = "ofac-35096"  # PUTIN, Vladimir Vladimirovich
ASSAD = "ofac-12735"  # AL-ASSAD, Bashar
LI_FANGWEI = "ofac-11447"  # LI, Fangwei
PRIGOZHIN = "ofac-21171"  # PRIGOZHIN, Yevgeniy Viktorovich
DIAPAZON = "ofac-47999"  # LIMITED LIABILITY COMPANY DIAPAZON
SOVCOMFLOT = "ofac-34741"  # JOINT STOCK COMPANY SOVCOMFLOT


def top(index: ScreeningIndex, name: str, schema: str = "Person", **evidence):
    results = index.screen(PartyQuery(schema=schema, names=[name], **evidence), limit=3, cutoff=0.0)
    assert results, f"nothing found for {name!r}"
    return results[0]


@pytest.mark.parametrize(
    ("script", "name", "expected"),
    [
        ("cyrillic", "Путин Владимир Владимирович", PUTIN),
        ("cyrillic short form", "Евгений Пригожин", PRIGOZHIN),
        ("arabic", "بشار الأسد", ASSAD),
        ("chinese", "李方伟", LI_FANGWEI),
        ("greek", "Βλαντιμίρ Πούτιν", PUTIN),
        ("ukrainian", "Володимир Путін", PUTIN),
    ],
)
def test_names_in_other_scripts_find_the_listed_entity(index_2024, script, name, expected):
    found = top(index_2024, name)
    assert found.entry.id == expected, found.explanation
    assert found.score >= 0.7, found.explanation


def test_a_typo_still_matches(index_2024):
    found = top(index_2024, "Vladimir Puttin")
    assert (found.entry.id, found.score >= 0.7) == (PUTIN, True)


def test_token_order_does_not_matter(index_2024):
    assert top(index_2024, "Vladimirovich Putin Vladimir").score == 1.0
    assert top(index_2024, "Putin, Vladimir Vladimirovich").entry.id == PUTIN


def test_a_middle_initial_matches_the_middle_name(index_2024):
    found = top(index_2024, "Vladimir V. Putin")
    assert found.entry.id == PUTIN
    assert found.score >= 0.8
    assert "(initial)" in found.explanation


def test_initials_alone_rank_the_entity_first_but_weaker(index_2024):
    found = top(index_2024, "V. V. Putin")
    assert found.entry.id == PUTIN
    assert found.score < top(index_2024, "Vladimir V. Putin").score


def test_a_missing_middle_name_or_patronymic_still_matches(index_2024):
    found = top(index_2024, "Vladimir Putin")
    assert found.entry.id == PUTIN
    assert found.score >= 0.8
    assert "not in query: vladimirovich" in found.explanation


def test_a_single_shared_surname_is_not_a_match(index_2024):
    found = top(index_2024, "Putin")
    assert found.score < 0.7


@pytest.mark.parametrize(
    "name", ["Bashar al-Assad", "Bashar Al Assad", "Bashar Alassad", "AL-ASSAD, Bashar."]
)
def test_hyphens_and_punctuation_do_not_matter(index_2024, name):
    found = top(index_2024, name)
    assert found.entry.id == ASSAD
    assert found.score >= 0.9


@pytest.mark.parametrize(
    "name",
    [
        "Diapazon LLC",
        "OOO Diapazon",
        "ООО Диапазон",
        "Diapazon Ltd",
        "Diapazon GmbH",
        "Diapazon Limited Liability Company",
        "Obshchestvo s Ogranichennoi Otvetstvennostyu Diapazon",
    ],
)
def test_company_form_variants_match_the_same_company(index_2024, name):
    found = top(index_2024, name, schema="Company")
    assert found.entry.id == DIAPAZON, found.explanation
    assert found.score >= 0.9, found.explanation
    assert "legal form" in found.explanation


def test_a_company_name_in_cyrillic_with_its_legal_form(index_2024):
    found = top(index_2024, "ПАО Совкомфлот", schema="Company")
    assert found.entry.id == SOVCOMFLOT
    assert found.score >= 0.7


def test_a_person_query_never_returns_a_company(index_2024):
    results = index_2024.screen(PartyQuery(schema="Person", names=["Diapazon"]), cutoff=0.0)
    assert all(m.entry.schema == "Person" for m in results)


def test_aliases_match_and_say_so(small_index):
    found = top(small_index, "Khalid Yusuf Hamdan")
    assert found.entry.id == "ofac-90003"
    assert found.score == 1.0
    assert found.matched_kind == "alias"
    assert "alias 'HAMDAN, Khalid Yusuf'" in found.explanation


def test_a_weak_alias_matches_with_less_weight_than_an_alias(small_index):
    weak = top(small_index, "Abu Khalid the Engineer")
    strong = top(small_index, "Khalid Yusuf Hamdan")
    assert weak.entry.id == "ofac-90003"
    assert weak.matched_kind == "weakAlias"
    assert "weak alias 'Abu Khalid the Engineer'" in weak.explanation
    assert 0.7 <= weak.score < strong.score


# -- evidence ------------------------------------------------------------------


def test_the_same_birth_date_raises_the_score(index_2024):
    plain = top(index_2024, "Vladimir Putin")
    dated = top(index_2024, "Vladimir Putin", birth_dates=["1952-10-07"])
    assert dated.entry.id == PUTIN
    assert dated.score > plain.score
    assert "birth date 1952-10-07 matches" in dated.explanation


def test_a_different_birth_year_pulls_a_name_match_under_the_threshold(index_2024):
    found = top(index_2024, "Vladimir Putin", birth_dates=["1980-01-01"])
    assert found.score < 0.7
    assert "differs" in found.explanation


def test_the_same_country_raises_and_another_lowers_the_score(index_2024):
    plain = top(index_2024, "Vladimir Putin").score
    same = index_2024.screen(
        PartyQuery(schema="Person", names=["Vladimir Putin"], countries=["RU"])
    )[0]
    other = index_2024.screen(
        PartyQuery(schema="Person", names=["Vladimir Putin"], countries=["FR"]), cutoff=0
    )[0]
    assert same.entry.id == other.entry.id == PUTIN
    assert same.score > plain > other.score
    assert "country ru matches" in same.explanation
    assert "differs" in other.explanation


def test_a_matching_identifier_lifts_a_weak_name_match(small_index):
    without = small_index.screen(PartyQuery(schema="Company", names=["Romashka"]), cutoff=0.0)
    with_id = small_index.screen(
        PartyQuery(schema="Company", names=["Romashka"], identifiers=["1157746-123456"]), cutoff=0.0
    )
    assert without[0].score < 0.7 <= with_id[0].score
    assert "identifier 1157746123456 matches" in with_id[0].explanation


def test_a_different_identifier_counts_slightly_against(small_index):
    plain = small_index.screen(PartyQuery(schema="Vessel", names=["Sea Lantern"]))[0]
    other = small_index.screen(
        PartyQuery(schema="Vessel", names=["Sea Lantern"], identifiers=["IMO 1111111"])
    )[0]
    assert other.score < plain.score
    assert "identifiers differ" in other.explanation


def test_every_result_carries_an_explanation_and_features(index_2024):
    results = index_2024.screen(
        PartyQuery(schema="Person", names=["Vladimir Putin"], countries=["ru"]), limit=5
    )
    assert results
    for match in results:
        assert match.explanation.startswith("name 'Vladimir Putin' ~ ")
        assert set(match.features) >= {"name"}


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.text(min_size=1, max_size=120),
    schema=st.sampled_from(["Person", "Company", "Organization", "LegalEntity", "Vessel", "Thing"]),
    birth=st.one_of(st.none(), st.text(max_size=12), st.dates().map(str)),
)
def test_any_text_screens_without_error_and_scores_stay_in_range(small_index, name, schema, birth):
    query = PartyQuery(
        schema=schema, names=[name], birth_dates=[birth] if birth else [], countries=[name[:2]]
    )
    for match in small_index.screen(query, limit=5, cutoff=0.0):
        assert 0.0 <= match.score <= 1.0
        assert match.explanation
