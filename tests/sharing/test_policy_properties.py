"""Property tests: the policy against a deliberately plain oracle of DESIGN 3.

The oracle below is written differently on purpose: straight-line boolean
logic per recipient over all agreements, no shared helpers with the policy.
"""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sharing.policy import AgreementFacts, ItemFacts, decide, decide_all

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
AGENCIES = ["AA", "BB", "CC", "DD", "EE"]
TLPS = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]
# Weighted towards "active" so that many examples actually deliver something.
STATUSES = ["proposed", "active", "active", "active", "suspended", "terminated"]
CLASSES = ["narrative", "person_identity", "organization_identity", "commercial"]
COUNTRIES = ["DE", "FR", "IR", "RU", "CN"]
CHAPTERS = ["84", "85", "90", "93"]
CONTROL_CODES = ["3A001", "5A002", "ML4", "1C350"]
CONTROL_PREFIXES = ["3A", "5A002", "ML", "1C", "9"]
RED_FLAGS = ["BIS-RF-1", "BIS-RF-5", "HUB-7"]
LISTS = ["OFAC-SDN", "EU-FSF", "UN-SC"]

# Bounded so the module runs in a few seconds; the oracle comparisons get the most examples.
THOROUGH = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BOUNDED = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

offsets = st.one_of(st.none(), st.integers(min_value=-3, max_value=3))


def _moment(hours: int | None) -> datetime | None:
    return None if hours is None else NOW + timedelta(hours=hours)


def small_subset(values: list[str], max_size: int = 3):
    return st.lists(st.sampled_from(values), max_size=max_size, unique=True).map(tuple)


def scope_filter(values: list[str]):
    """Mostly unset (no filter), sometimes a few values."""
    return st.one_of(st.just(()), st.just(()), small_subset(values, 2))


@st.composite
def items(draw) -> ItemFacts:
    kind = draw(st.sampled_from(["sar", "sanctions_update"]))
    return ItemFacts(
        kind=kind,
        originator=draw(st.sampled_from(AGENCIES)),
        tlp=draw(st.sampled_from([*TLPS, "CLEAR", "GREEN", "AMBER"])),
        red_recipients=draw(small_subset(AGENCIES)),
        countries=draw(small_subset(COUNTRIES)),
        hs_chapters=draw(small_subset(CHAPTERS)),
        control_codes=draw(small_subset(CONTROL_CODES)),
        red_flags=draw(small_subset(RED_FLAGS)),
        list_name=draw(st.one_of(st.none(), st.sampled_from(LISTS))),
        disclosure_classes=tuple(
            draw(st.lists(st.one_of(st.none(), st.sampled_from(CLASSES)), max_size=6))
        ),
    )


@st.composite
def scenarios(draw) -> tuple[ItemFacts, list[AgreementFacts]]:
    """An item and agreements among the agencies, most of them from its originator.

    Unbiased draws almost never line up every rule at once, so the draws lean
    towards agreements that could deliver: the provider is usually the
    originator, the kinds usually include the item's kind, the window usually
    contains now. Every refusal still occurs often enough.
    """
    item = draw(items())
    count = draw(st.integers(min_value=0, max_value=8))
    # Ids in an order unrelated to the order of drawing, for the tie-break by id.
    ids = [f"ag-{n:02d}" for n in draw(st.permutations(range(count)))]
    agreements: list[AgreementFacts] = []
    for number in range(count):
        if agreements and draw(st.integers(0, 3)) == 0:
            # A second agreement for the same pair, differing in what it withholds:
            # decide_all must pick the one disclosing most.
            twin = draw(st.sampled_from(agreements))
            withheld = draw(small_subset(CLASSES, 4))
            agreements.append(replace(twin, id=ids[number], withheld=withheld))
            continue
        provider = draw(st.sampled_from([item.originator] * 3 + AGENCIES))
        recipient = draw(st.sampled_from([a for a in AGENCIES if a != provider]))
        # Offsets in hours from now; 0 is drawn often, to hit the window's edges.
        start = draw(st.one_of(st.none(), st.integers(-3, 0), st.just(0), offsets))
        end = draw(st.one_of(st.none(), st.integers(1, 3), st.just(0), offsets))
        kinds = draw(st.one_of(st.just((item.kind,)), small_subset(["sar", "sanctions_update"], 2)))
        agreements.append(
            AgreementFacts(
                id=ids[number],
                provider=provider,
                recipient=recipient,
                status=draw(st.sampled_from(STATUSES)),
                valid_from=_moment(start),
                valid_until=_moment(end),
                kinds=kinds,
                max_tlp=draw(st.sampled_from(TLPS)),
                withheld=draw(small_subset(CLASSES, 4)),
                scope_countries=draw(scope_filter(COUNTRIES)),
                scope_hs_chapters=draw(scope_filter(CHAPTERS)),
                scope_control_prefixes=draw(scope_filter(CONTROL_PREFIXES)),
                scope_red_flags=draw(scope_filter(RED_FLAGS)),
                scope_lists=draw(scope_filter(LISTS)),
            )
        )
    return item, agreements


TLP_LEVEL = {"CLEAR": 0, "GREEN": 1, "AMBER": 2, "AMBER+STRICT": 3, "RED": 4}


def oracle_entitled(item: ItemFacts, ag: AgreementFacts) -> bool:
    """DESIGN 3's conditions for one agreement, as one straight run of booleans."""
    ok = ag.provider == item.originator
    ok = ok and ag.recipient != item.originator
    ok = ok and ag.status == "active"
    ok = ok and (ag.valid_from is None or ag.valid_from <= NOW)
    ok = ok and (ag.valid_until is None or ag.valid_until > NOW)
    ok = ok and item.kind in ag.kinds
    ok = ok and TLP_LEVEL[item.tlp] <= TLP_LEVEL[ag.max_tlp]
    ok = ok and (item.tlp != "RED" or ag.recipient in item.red_recipients)
    if item.kind == "sar":
        if ag.scope_countries:
            ok = ok and len(set(ag.scope_countries) & set(item.countries)) > 0
        if ag.scope_hs_chapters:
            ok = ok and len(set(ag.scope_hs_chapters) & set(item.hs_chapters)) > 0
        if ag.scope_control_prefixes:
            hit = False
            for code in item.control_codes:
                for prefix in ag.scope_control_prefixes:
                    if code[: len(prefix)] == prefix:
                        hit = True
            ok = ok and hit
        if ag.scope_red_flags:
            ok = ok and len(set(ag.scope_red_flags) & set(item.red_flags)) > 0
    if item.kind == "sanctions_update" and ag.scope_lists:
        ok = ok and item.list_name in ag.scope_lists
    return ok


def oracle(item: ItemFacts, agreements: list[AgreementFacts]) -> set[tuple[str, str, tuple]]:
    """(recipient, agreement, classes of the disclosures it gets) per entitled recipient."""
    delivered = set()
    for recipient in AGENCIES:
        best_view = None
        best_id = None
        for ag in sorted(agreements, key=lambda a: a.id):
            if ag.recipient != recipient or not oracle_entitled(item, ag):
                continue
            view = []
            for index in range(len(item.disclosure_classes)):
                redaction_class = item.disclosure_classes[index]
                if redaction_class is None or redaction_class not in ag.withheld:
                    view.append(index)
            # Agreements are visited in id order, so only a strictly larger view replaces.
            if best_view is None or len(view) > len(best_view):
                best_view, best_id = view, ag.id
        if best_view is not None:
            classes = tuple(item.disclosure_classes[i] for i in best_view)
            delivered.add((recipient, best_id, classes))
    return delivered


def delivered_by_policy(item: ItemFacts, agreements: list[AgreementFacts]) -> set[tuple]:
    return {
        (d.recipient, d.agreement_id, tuple(item.disclosure_classes[i] for i in d.disclosed))
        for d in decide_all(item, agreements, NOW)
        if d.deliver
    }


@THOROUGH
@given(scenario=scenarios())
def test_policy_delivers_exactly_what_the_oracle_does(scenario):
    item, agreements = scenario
    assert delivered_by_policy(item, agreements) == oracle(item, agreements)
    # Each single decision too, not just the chosen ones: refusals must agree as well.
    for agreement in agreements:
        assert decide(item, agreement, NOW).deliver == oracle_entitled(item, agreement)


@BOUNDED
@given(scenario=scenarios())
def test_agency_without_active_agreement_with_originator_never_receives(scenario):
    item, agreements = scenario
    entitled_somewhere = {
        a.recipient for a in agreements if a.provider == item.originator and a.status == "active"
    }
    for decision in decide_all(item, agreements, NOW):
        if decision.deliver:
            assert decision.recipient in entitled_somewhere
            assert decision.recipient != item.originator


@BOUNDED
@given(scenario=scenarios())
def test_withheld_classes_never_reach_the_recipient(scenario):
    item, agreements = scenario
    by_id = {a.id: a for a in agreements}
    for decision in decide_all(item, agreements, NOW):
        chosen = by_id[decision.agreement_id]
        assert decision.recipient == chosen.recipient
        assert chosen.provider == item.originator
        if not decision.deliver:
            assert decision.disclosed == ()
            continue
        for index in decision.disclosed:
            assert item.disclosure_classes[index] not in chosen.withheld
        assert set(decision.withheld_classes) <= set(chosen.withheld)


@BOUNDED
@given(scenario=scenarios())
def test_decide_all_agrees_with_decide_for_each_chosen_agreement(scenario):
    item, agreements = scenario
    by_id = {a.id: a for a in agreements}
    decisions = decide_all(item, agreements, NOW)
    assert len({d.recipient for d in decisions}) == len(decisions)
    for decision in decisions:
        assert decide(item, by_id[decision.agreement_id], NOW) == decision
