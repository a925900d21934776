"""Before publishing: which partners would receive which view under the current agreements.

Runs the same pure policy (`sharing.policy.decide_all`) distribution will run
on publish, on the facts of the composed (not yet signed) report.
"""

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from agencies.models import Agency
from hub.reports.claims import report_facts
from hub.reports.sdjwt import redaction_class_fields
from sharing.policy import Decision, ItemFacts, decide_all
from sharing.selectors import agreement_facts_of_provider


@dataclass(frozen=True)
class PreviewRow:
    recipient: str
    deliver: bool
    withheld_classes: tuple[str, ...]
    reason: str
    agreement_id: str


def delivery_preview(*, originator: Agency, claims: dict[str, Any]) -> list[PreviewRow]:
    """One row per agency with an agreement from the originator, deliverable ones first."""
    facts = report_facts(claims)
    classes = tuple(redaction_class for _, redaction_class in redaction_class_fields(claims))
    item = ItemFacts(
        kind="sar",
        originator=originator.code,
        tlp=facts.tlp,
        red_recipients=facts.red_recipients,
        countries=facts.countries,
        hs_chapters=facts.hs_chapters,
        control_codes=facts.control_codes,
        red_flags=facts.red_flags,
        disclosure_classes=classes,
    )
    decisions: list[Decision] = decide_all(
        item, agreement_facts_of_provider(provider_code=originator.code), timezone.now()
    )
    rows = [
        PreviewRow(
            recipient=d.recipient,
            deliver=d.deliver,
            withheld_classes=d.withheld_classes,
            reason=d.reason,
            agreement_id=d.agreement_id,
        )
        for d in decisions
    ]
    return sorted(rows, key=lambda row: (not row.deliver, row.recipient))
