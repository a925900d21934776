"""One test per rule of DESIGN 3, against the pure policy (no database, no clock)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from sharing.policy import TLP_ORDER, AgreementFacts, ItemFacts, decide, decide_all

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
CLASSES = ("narrative", "person_identity", "organization_identity", "commercial", None)


def sar(**changes) -> ItemFacts:
    item = ItemFacts(
        kind="sar",
        originator="DE-CUSTOMS",
        tlp="AMBER",
        countries=("DE", "IR", "AE"),
        hs_chapters=("84", "85"),
        control_codes=("3A001", "5A002"),
        red_flags=("BIS-RF-5",),
        disclosure_classes=CLASSES,
    )
    return replace(item, **changes)


def sanctions_update(**changes) -> ItemFacts:
    item = ItemFacts(
        kind="sanctions_update",
        originator="US-OFAC",
        tlp="CLEAR",
        list_name="OFAC-SDN",
    )
    return replace(item, **changes)


def agreement(**changes) -> AgreementFacts:
    facts = AgreementFacts(
        id="a-1",
        provider="DE-CUSTOMS",
        recipient="FR-DOUANE",
        status="active",
        valid_from=NOW - timedelta(days=30),
        valid_until=NOW + timedelta(days=30),
        kinds=("sar",),
        max_tlp="AMBER",
    )
    return replace(facts, **changes)


# --- the whole decision -------------------------------------------------------


def test_entitled_partner_gets_every_disclosure():
    decision = decide(sar(), agreement(), NOW)
    assert decision.deliver
    assert decision.recipient == "FR-DOUANE"
    assert decision.agreement_id == "a-1"
    assert decision.disclosed == (0, 1, 2, 3, 4)
    assert decision.withheld_classes == ()
    assert decision.reason == "delivered"


# --- status ---------------------------------------------------------------------


@pytest.mark.parametrize("status", ["proposed", "suspended", "terminated", "expired"])
def test_agreement_that_is_not_active_delivers_nothing(status):
    decision = decide(sar(), agreement(status=status), NOW)
    assert not decision.deliver
    assert decision.reason == f"agreement {status}"
    assert decision.disclosed == ()


# --- window ---------------------------------------------------------------------


def test_window_includes_valid_from_itself():
    assert decide(sar(), agreement(valid_from=NOW), NOW).deliver


def test_window_before_valid_from_refuses():
    decision = decide(sar(), agreement(valid_from=NOW + timedelta(microseconds=1)), NOW)
    assert not decision.deliver
    assert decision.reason == "agreement not yet valid"


def test_window_excludes_valid_until_itself():
    decision = decide(sar(), agreement(valid_until=NOW), NOW)
    assert not decision.deliver
    assert decision.reason == "agreement expired"


def test_window_just_before_valid_until_delivers():
    assert decide(sar(), agreement(valid_until=NOW + timedelta(microseconds=1)), NOW).deliver


def test_expired_agreement_delivers_nothing_even_while_stored_as_active():
    expired = agreement(valid_from=NOW - timedelta(days=60), valid_until=NOW - timedelta(days=1))
    decision = decide(sar(), expired, NOW)
    assert not decision.deliver
    assert decision.reason == "agreement expired"


def test_open_window_on_both_sides_delivers():
    assert decide(sar(), agreement(valid_from=None, valid_until=None), NOW).deliver


# --- kinds ----------------------------------------------------------------------


def test_kind_not_in_agreement_is_refused():
    decision = decide(sar(), agreement(kinds=("sanctions_update",)), NOW)
    assert not decision.deliver
    assert decision.reason == "kind sar not covered"


def test_sanctions_update_flows_under_its_kind():
    facts = agreement(provider="US-OFAC", kinds=("sanctions_update",), max_tlp="CLEAR")
    assert decide(sanctions_update(), facts, NOW).deliver
    refused = decide(sanctions_update(), replace(facts, kinds=("sar",)), NOW)
    assert not refused.deliver
    assert refused.reason == "kind sanctions_update not covered"


def test_agreement_with_no_kinds_carries_nothing():
    assert not decide(sar(), agreement(kinds=()), NOW).deliver


# --- TLP ceiling ----------------------------------------------------------------


@pytest.mark.parametrize("ceiling", TLP_ORDER)
@pytest.mark.parametrize("tlp", TLP_ORDER)
def test_tlp_at_or_below_ceiling_delivers_and_above_is_refused(tlp, ceiling):
    item = sar(tlp=tlp, red_recipients=("FR-DOUANE",))
    decision = decide(item, agreement(max_tlp=ceiling), NOW)
    expected = TLP_ORDER.index(tlp) <= TLP_ORDER.index(ceiling)
    assert decision.deliver is expected
    if not expected:
        assert decision.reason == f"TLP {tlp} above ceiling {ceiling}"


def test_tlp_order_is_first_tlp_2():
    assert TLP_ORDER == ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")


def test_amber_above_green_ceiling_reason_is_readable():
    decision = decide(sar(tlp="AMBER"), agreement(max_tlp="GREEN"), NOW)
    assert decision.reason == "TLP AMBER above ceiling GREEN"


def test_unknown_tlp_is_never_delivered():
    assert not decide(sar(tlp="WHITE"), agreement(max_tlp="RED"), NOW).deliver
    assert not decide(sar(tlp="CLEAR"), agreement(max_tlp="PURPLE"), NOW).deliver


# --- RED recipients -------------------------------------------------------------


def test_red_goes_to_a_named_recipient():
    item = sar(tlp="RED", red_recipients=("FR-DOUANE", "NL-FIOD"))
    assert decide(item, agreement(max_tlp="RED"), NOW).deliver


def test_red_is_refused_to_a_recipient_not_named():
    item = sar(tlp="RED", red_recipients=("NL-FIOD",))
    decision = decide(item, agreement(max_tlp="RED"), NOW)
    assert not decision.deliver
    assert decision.reason == "TLP RED and recipient not named"


def test_red_with_no_recipients_goes_to_nobody():
    assert not decide(sar(tlp="RED"), agreement(max_tlp="RED"), NOW).deliver


def test_recipients_list_is_ignored_below_red():
    item = sar(tlp="AMBER", red_recipients=("NL-FIOD",))
    assert decide(item, agreement(), NOW).deliver


def test_named_red_recipient_still_needs_a_red_ceiling():
    item = sar(tlp="RED", red_recipients=("FR-DOUANE",))
    assert not decide(item, agreement(max_tlp="AMBER+STRICT"), NOW).deliver


# --- scope filters --------------------------------------------------------------


def test_country_scope_matches_any_party_or_route_country():
    assert decide(sar(), agreement(scope_countries=("IR",)), NOW).deliver
    assert decide(sar(), agreement(scope_countries=("RU", "AE")), NOW).deliver


def test_country_scope_without_a_matching_country_refuses():
    decision = decide(sar(), agreement(scope_countries=("RU", "CN")), NOW)
    assert not decision.deliver
    assert decision.reason == "no party or route country in scope"


def test_hs_chapter_scope_uses_the_first_two_digits():
    assert decide(sar(hs_chapters=("8471",)), agreement(scope_hs_chapters=("84",)), NOW).deliver
    decision = decide(sar(hs_chapters=("8471",)), agreement(scope_hs_chapters=("85",)), NOW)
    assert not decision.deliver
    assert decision.reason == "no HS chapter in scope"


def test_control_code_scope_matches_by_prefix():
    assert decide(sar(), agreement(scope_control_prefixes=("3A",)), NOW).deliver
    assert decide(sar(), agreement(scope_control_prefixes=("5A002",)), NOW).deliver
    decision = decide(sar(), agreement(scope_control_prefixes=("ML", "9A")), NOW)
    assert not decision.deliver
    assert decision.reason == "no control code in scope"


def test_control_code_scope_refuses_an_item_without_control_codes():
    item = sar(control_codes=())
    assert not decide(item, agreement(scope_control_prefixes=("3A",)), NOW).deliver


def test_red_flag_scope_needs_a_shared_code():
    assert decide(sar(), agreement(scope_red_flags=("BIS-RF-5", "X")), NOW).deliver
    decision = decide(sar(), agreement(scope_red_flags=("BIS-RF-1",)), NOW)
    assert not decision.deliver
    assert decision.reason == "no red flag in scope"


def test_every_set_scope_filter_must_match():
    both = agreement(scope_countries=("IR",), scope_hs_chapters=("90",))
    assert not decide(sar(), both, NOW).deliver


def test_sanctions_list_scope_for_sanctions_updates():
    facts = agreement(provider="US-OFAC", kinds=("sanctions_update",), scope_lists=("OFAC-SDN",))
    assert decide(sanctions_update(), facts, NOW).deliver
    other = decide(sanctions_update(list_name="EU-FSF"), facts, NOW)
    assert not other.deliver
    assert other.reason == "list EU-FSF not in scope"


def test_sar_scope_filters_do_not_apply_to_sanctions_updates():
    facts = agreement(
        provider="US-OFAC",
        kinds=("sar", "sanctions_update"),
        scope_hs_chapters=("84",),
        scope_red_flags=("BIS-RF-5",),
    )
    assert decide(sanctions_update(), facts, NOW).deliver


def test_list_scope_does_not_apply_to_reports():
    assert decide(sar(), agreement(scope_lists=("OFAC-SDN",)), NOW).deliver


def test_scope_matching_ignores_case_and_spaces():
    assert decide(sar(), agreement(scope_countries=(" ir",)), NOW).deliver
    assert decide(sar(), agreement(scope_control_prefixes=("3a",)), NOW).deliver


# --- withheld classes -----------------------------------------------------------


def test_withheld_classes_are_left_out_and_named():
    decision = decide(sar(), agreement(withheld=("narrative", "commercial")), NOW)
    assert decision.deliver
    assert decision.disclosed == (1, 2, 4)
    assert decision.withheld_classes == ("commercial", "narrative")


def test_disclosure_without_a_class_is_always_included():
    item = sar(disclosure_classes=(None, None))
    withhold_all = agreement(
        withheld=("narrative", "person_identity", "organization_identity", "commercial")
    )
    decision = decide(item, withhold_all, NOW)
    assert decision.disclosed == (0, 1)
    assert decision.withheld_classes == ()


def test_withheld_class_absent_from_the_item_is_not_reported():
    item = sar(disclosure_classes=("commercial",))
    decision = decide(item, agreement(withheld=("narrative",)), NOW)
    assert decision.disclosed == (0,)
    assert decision.withheld_classes == ()


def test_each_disclosure_of_a_withheld_class_is_removed():
    item = sar(disclosure_classes=("person_identity", "commercial", "person_identity"))
    decision = decide(item, agreement(withheld=("person_identity",)), NOW)
    assert decision.disclosed == (1,)


# --- originator and transitivity ------------------------------------------------


def test_never_delivered_back_to_the_originator():
    facts = agreement(recipient="DE-CUSTOMS")
    decision = decide(sar(), facts, NOW)
    assert not decision.deliver
    assert decision.reason == "recipient is the originator"


def test_no_transitive_sharing_through_another_provider():
    # FR-DOUANE shares with NL-FIOD, but DE-CUSTOMS wrote the report.
    relay = agreement(provider="FR-DOUANE", recipient="NL-FIOD")
    decision = decide(sar(), relay, NOW)
    assert not decision.deliver
    assert decision.reason == "provider FR-DOUANE is not the originator DE-CUSTOMS"


def test_decide_all_ignores_agreements_of_other_providers():
    relay = agreement(id="a-9", provider="FR-DOUANE", recipient="NL-FIOD")
    decisions = decide_all(sar(), [agreement(), relay], NOW)
    assert [(d.recipient, d.deliver) for d in decisions] == [("FR-DOUANE", True)]


# --- decide_all -----------------------------------------------------------------


def test_decide_all_gives_one_decision_per_recipient_sorted():
    agreements = [
        agreement(id="a-3", recipient="NL-FIOD", max_tlp="GREEN"),
        agreement(id="a-1", recipient="FR-DOUANE"),
        agreement(id="a-2", recipient="BE-AGD", status="suspended"),
    ]
    decisions = decide_all(sar(), agreements, NOW)
    assert [(d.recipient, d.deliver, d.agreement_id) for d in decisions] == [
        ("BE-AGD", False, "a-2"),
        ("FR-DOUANE", True, "a-1"),
        ("NL-FIOD", False, "a-3"),
    ]
    assert decisions[2].reason == "TLP AMBER above ceiling GREEN"


def test_decide_all_picks_the_agreement_disclosing_most():
    narrow = agreement(id="a-1", withheld=("narrative", "commercial"))
    wide = agreement(id="a-2", withheld=("commercial",))
    refused = agreement(id="a-0", status="terminated")
    (decision,) = decide_all(sar(), [narrow, refused, wide], NOW)
    assert decision.agreement_id == "a-2"
    assert decision.disclosed == (0, 1, 2, 4)


def test_decide_all_breaks_ties_by_agreement_id():
    first = agreement(id="a-1", withheld=("narrative",))
    second = agreement(id="a-2", withheld=("commercial",))
    (decision,) = decide_all(sar(), [second, first], NOW)
    assert decision.agreement_id == "a-1"


def test_decide_all_reports_a_refusal_when_nothing_delivers():
    decisions = decide_all(
        sar(),
        [agreement(id="a-2", status="suspended"), agreement(id="a-1", valid_until=NOW)],
        NOW,
    )
    assert len(decisions) == 1
    assert not decisions[0].deliver
    assert decisions[0].agreement_id == "a-1"


def test_decide_all_with_no_agreements_decides_nothing():
    assert decide_all(sar(), [], NOW) == []


# --- purity ---------------------------------------------------------------------


def test_policy_imports_only_the_standard_library():
    """DESIGN 1: sharing/policy.py imports nothing from the project or Django."""
    import ast
    import sys
    from pathlib import Path

    import sharing.policy

    tree = ast.parse(Path(sharing.policy.__file__).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}


def test_policy_reads_no_clock():
    import inspect

    import sharing.policy

    source = inspect.getsource(sharing.policy)
    for call in ("now()", "utcnow(", "time.time(", "today()"):
        assert call not in source
