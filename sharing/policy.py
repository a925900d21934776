"""The sharing decision (DESIGN 3): may this item go to this recipient, and in which view?

A pure function of plain data. It imports nothing from the project or Django,
reads no clock and does no I/O, so every rule can be tested exhaustively.

Rules, checked in this order (the first one that fails is the reason):

1. no transitive sharing: the agreement's provider must be the item's originator;
2. never back to the originator;
3. the agreement is active;
4. ``valid_from <= now < valid_until`` (``None`` on either side is open);
5. the item's kind is one of the agreement's kinds;
6. the item's TLP is known and at most the agreement's ``max_tlp``
   (CLEAR < GREEN < AMBER < AMBER+STRICT < RED);
7. TLP RED goes only to recipients named in the item's ``red_recipients``;
8. scope filters, each only when set (an empty filter matches everything):
   for SARs the countries (any party or route country), HS chapters (first two
   digits), control-code prefixes and red-flag codes; for sanctions updates the
   sanctions lists. A filter describing facts the kind does not have (an HS
   chapter for a sanctions entity, a list for a SAR) does not apply to it.

A delivered item carries every disclosure whose redaction class is not withheld
by the agreement; a disclosure without a class is always included.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

TLP_ORDER: tuple[str, ...] = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")
TLP_RANK: dict[str, int] = {tlp: rank for rank, tlp in enumerate(TLP_ORDER)}

KIND_SAR = "sar"
KIND_SANCTIONS_UPDATE = "sanctions_update"

REASON_DELIVERED = "delivered"


@dataclass(frozen=True)
class ItemFacts:
    """What the policy needs to know about one item (a report version or a sanctions update)."""

    kind: str
    originator: str
    tlp: str = "CLEAR"
    red_recipients: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    hs_chapters: tuple[str, ...] = ()
    control_codes: tuple[str, ...] = ()
    red_flags: tuple[str, ...] = ()
    list_name: str | None = None
    # The redaction class of each disclosure, in the item's disclosure order (None: no class).
    disclosure_classes: tuple[str | None, ...] = ()


@dataclass(frozen=True)
class AgreementFacts:
    """One agreement, as plain data. Empty scope tuples mean "no filter"."""

    id: str
    provider: str
    recipient: str
    status: str
    valid_from: datetime | None
    valid_until: datetime | None
    kinds: tuple[str, ...]
    max_tlp: str
    withheld: tuple[str, ...] = ()
    scope_countries: tuple[str, ...] = ()
    scope_hs_chapters: tuple[str, ...] = ()
    scope_control_prefixes: tuple[str, ...] = ()
    scope_red_flags: tuple[str, ...] = ()
    scope_lists: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    """The outcome for one recipient: deliver or not, under which agreement, in which view."""

    deliver: bool
    recipient: str
    agreement_id: str
    disclosed: tuple[int, ...] = ()  # indexes into the item's disclosures
    withheld_classes: tuple[str, ...] = ()  # classes present in the item and left out
    reason: str = REASON_DELIVERED


def _norm(value: str) -> str:
    return value.strip().upper()


def _norm_all(values: Iterable[str]) -> set[str]:
    return {_norm(value) for value in values if value and value.strip()}


def _hs_chapter(value: str) -> str:
    digits = "".join(ch for ch in value if ch.isdigit())
    return digits[:2]


def _scope_refusal(item: ItemFacts, agreement: AgreementFacts) -> str | None:
    """Why the item is outside the agreement's scope, or None when it is inside."""
    if item.kind == KIND_SAR:
        if agreement.scope_countries:
            wanted = _norm_all(agreement.scope_countries)
            if not wanted & _norm_all(item.countries):
                return "no party or route country in scope"
        if agreement.scope_hs_chapters:
            wanted = {_hs_chapter(chapter) for chapter in agreement.scope_hs_chapters}
            if not wanted & {_hs_chapter(code) for code in item.hs_chapters if code}:
                return "no HS chapter in scope"
        if agreement.scope_control_prefixes:
            prefixes = _norm_all(agreement.scope_control_prefixes)
            codes = _norm_all(item.control_codes)
            if not any(code.startswith(prefix) for code in codes for prefix in prefixes):
                return "no control code in scope"
        if agreement.scope_red_flags and not (
            _norm_all(agreement.scope_red_flags) & _norm_all(item.red_flags)
        ):
            return "no red flag in scope"
    elif item.kind == KIND_SANCTIONS_UPDATE and agreement.scope_lists:
        listed = item.list_name is not None and _norm(item.list_name) in _norm_all(
            agreement.scope_lists
        )
        if not listed:
            return f"list {item.list_name or '(none)'} not in scope"
    return None


def _refusal(item: ItemFacts, agreement: AgreementFacts, now: datetime) -> str | None:
    """The first rule of DESIGN 3 the pair breaks, as a short reason; None if it may go."""
    if agreement.provider != item.originator:
        return f"provider {agreement.provider} is not the originator {item.originator}"
    if agreement.recipient == item.originator:
        return "recipient is the originator"
    if agreement.status != "active":
        return f"agreement {agreement.status}"
    if agreement.valid_from is not None and now < agreement.valid_from:
        return "agreement not yet valid"
    if agreement.valid_until is not None and now >= agreement.valid_until:
        return "agreement expired"
    if item.kind not in agreement.kinds:
        return f"kind {item.kind} not covered"
    item_rank = TLP_RANK.get(item.tlp)
    ceiling_rank = TLP_RANK.get(agreement.max_tlp)
    if item_rank is None:
        return f"unknown TLP {item.tlp}"
    if ceiling_rank is None:
        return f"unknown TLP ceiling {agreement.max_tlp}"
    if item_rank > ceiling_rank:
        return f"TLP {item.tlp} above ceiling {agreement.max_tlp}"
    if item.tlp == "RED" and agreement.recipient not in item.red_recipients:
        return "TLP RED and recipient not named"
    return _scope_refusal(item, agreement)


def decide(item: ItemFacts, agreement: AgreementFacts, now: datetime) -> Decision:
    """The decision for one item under one agreement, at `now` (an aware datetime)."""
    refusal = _refusal(item, agreement, now)
    if refusal is not None:
        return Decision(
            deliver=False,
            recipient=agreement.recipient,
            agreement_id=agreement.id,
            reason=refusal,
        )
    withheld = set(agreement.withheld)
    disclosed = tuple(
        index
        for index, redaction_class in enumerate(item.disclosure_classes)
        if redaction_class is None or redaction_class not in withheld
    )
    withheld_classes = tuple(
        sorted({c for c in item.disclosure_classes if c is not None and c in withheld})
    )
    return Decision(
        deliver=True,
        recipient=agreement.recipient,
        agreement_id=agreement.id,
        disclosed=disclosed,
        withheld_classes=withheld_classes,
        reason=REASON_DELIVERED,
    )


def decide_all(
    item: ItemFacts, agreements: Iterable[AgreementFacts], now: datetime
) -> list[Decision]:
    """One decision per recipient that has any agreement with the item's originator.

    Agreements of other providers are ignored: they can never carry the item
    (no transitive sharing), so their recipients get no decision at all. When
    several agreements deliver to one recipient, the one disclosing most wins,
    ties broken by the smallest agreement id. A recipient with no delivering
    agreement gets the refusal of its smallest agreement id. Sorted by recipient.
    """
    by_recipient: dict[str, list[Decision]] = {}
    for agreement in agreements:
        if agreement.provider != item.originator:
            continue
        decision = decide(item, agreement, now)
        by_recipient.setdefault(agreement.recipient, []).append(decision)

    chosen: list[Decision] = []
    for recipient in sorted(by_recipient):
        decisions = by_recipient[recipient]
        delivering = [d for d in decisions if d.deliver]
        if delivering:
            best = min(delivering, key=lambda d: (-len(d.disclosed), d.agreement_id))
        else:
            best = min(decisions, key=lambda d: d.agreement_id)
        chosen.append(best)
    return chosen
