"""Writes of sharing agreements (DESIGN 3). Each one audits in its own transaction.

Lifecycle:

    proposed --(both parties accept, or a hub admin)--> active
    active --suspend--> suspended --(both parties accept again, or a hub admin)--> active
    proposed | active | suspended --terminate--> terminated   (final)

`expired` is never stored: it is derived from `valid_until` (see
`Agreement.effective_status`), and the policy's window rule already stops every
delivery after it. An expired agreement cannot be accepted; it can still be
suspended or terminated, to record the decision.

Accepting: the admin of a party records that party's acceptance; the agreement
becomes active once provider and recipient have both accepted. Creating an
agreement as one party's admin counts as that party's acceptance. A hub admin
accepts for both at once, and may create an agreement directly active.
Suspending clears both acceptances, so resuming needs both parties again (or a
hub admin) through the same accept operation. Either party may suspend or
terminate on its own: sharing needs both to agree, stopping needs only one.
"""

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from agencies.audit import audit_record
from agencies.errors import Conflict, Refused
from agencies.models import Agency
from agencies.services import Actor
from sharing.models.agreements import (
    REDACTION_CLASSES,
    AffectedPartyNotifications,
    Agreement,
    AgreementStatus,
    Attribution,
    EncryptInTransit,
    ItemKind,
    PermittedActions,
    Tlp,
)
from sharing.services.distribution import agreement_deliveries_cancel

COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
HS_CHAPTER = re.compile(r"^[0-9]{2}$")
# ECCNs ("3A001", "5A992.c"), EU dual-use entries ("1C350"), ML categories ("ML4"): a prefix of one.
CONTROL_PREFIX = re.compile(r"^[A-Z0-9][A-Z0-9.]{0,19}$")
CODE = re.compile(r"^[A-Z0-9][A-Z0-9._:-]{0,39}$")  # red-flag codes, sanctions list names
LEGAL_BASIS_MAX = 2000


def agreement_snapshot(agreement: Agreement) -> dict[str, Any]:
    """The agreement as written to the audit trail's before/after."""
    return {
        "provider": agreement.provider.code,
        "recipient": agreement.recipient.code,
        "status": agreement.status,
        "valid_from": agreement.valid_from,
        "valid_until": agreement.valid_until,
        "kinds": list(agreement.kinds),
        "max_tlp": agreement.max_tlp,
        "withheld": list(agreement.withheld),
        "scope": {
            "countries": list(agreement.scope_countries),
            "hs_chapters": list(agreement.scope_hs_chapters),
            "control_prefixes": list(agreement.scope_control_prefixes),
            "red_flags": list(agreement.scope_red_flags),
            "lists": list(agreement.scope_lists),
        },
        "onward_sharing": agreement.onward_sharing,
        "attribution": agreement.attribution,
        "permitted_actions": agreement.permitted_actions,
        "encrypt_in_transit": agreement.encrypt_in_transit,
        "affected_party_notifications": agreement.affected_party_notifications,
        "legal_basis": agreement.legal_basis,
        "provider_accepted_at": agreement.provider_accepted_at,
        "recipient_accepted_at": agreement.recipient_accepted_at,
    }


def _audit(
    *,
    agreement: Agreement,
    actor: Actor,
    action: str,
    before: dict[str, Any] | None,
    extra: dict[str, Any] | None = None,
) -> None:
    after = agreement_snapshot(agreement)
    if extra:
        after.update(extra)
    audit_record(
        actor=actor.label,
        agency=actor.agency or agreement.provider.code,
        action=action,
        object_type="agreement",
        object_id=str(agreement.pk),
        before=before,
        after=after,
    )


class _Problems:
    """Collects every validation problem, so one refusal names them all."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, []).append(message)

    def check_list(
        self,
        field: str,
        values: Sequence[str],
        *,
        allowed: Sequence[str] = (),
        pattern: re.Pattern[str] | None = None,
    ) -> None:
        if isinstance(values, str) or not all(isinstance(v, str) for v in values):
            self.add(field, "must be a list of strings")
            return
        if len(set(values)) != len(values):
            self.add(field, "has duplicates")
        for value in values:
            if allowed and value not in allowed:
                self.add(field, f"{value!r} is not one of {', '.join(allowed)}")
            elif pattern is not None and not pattern.fullmatch(value):
                self.add(field, f"{value!r} is not well-formed")

    def check_choice(self, field: str, value: Any, allowed: Sequence[str]) -> None:
        if value not in allowed:
            self.add(field, f"{value!r} is not one of {', '.join(allowed)}")


def agreement_problems(
    *,
    provider: Agency,
    recipient: Agency,
    status: str,
    accepted_by: Agency | None,
    terms: dict[str, Any],
    now: datetime,
) -> dict[str, list[str]]:
    """Every problem with a new agreement, by field ("scope.countries" for a scope filter).

    `terms` holds the model's field names (valid_from already defaulted). Empty
    when the agreement may be created. Used by agreement_create and the admin form.
    """
    problems = _Problems()
    if provider.pk == recipient.pk:
        problems.add("recipient", "must differ from the provider")
    problems.check_choice("status", status, (AgreementStatus.PROPOSED, AgreementStatus.ACTIVE))
    valid_from, valid_until = terms["valid_from"], terms["valid_until"]
    if valid_until is not None:
        if valid_until <= valid_from:
            problems.add("valid_until", "must be after valid_from")
        elif valid_until <= now:
            problems.add("valid_until", "is already past")
    problems.check_list("kinds", terms["kinds"], allowed=ItemKind.values)
    if not terms["kinds"]:
        problems.add("kinds", "must name at least one kind")
    problems.check_choice("max_tlp", terms["max_tlp"], Tlp.values)
    problems.check_list("withheld", terms["withheld"], allowed=REDACTION_CLASSES)
    problems.check_list("scope.countries", terms["scope_countries"], pattern=COUNTRY_CODE)
    problems.check_list("scope.hs_chapters", terms["scope_hs_chapters"], pattern=HS_CHAPTER)
    problems.check_list(
        "scope.control_prefixes", terms["scope_control_prefixes"], pattern=CONTROL_PREFIX
    )
    problems.check_list("scope.red_flags", terms["scope_red_flags"], pattern=CODE)
    problems.check_list("scope.lists", terms["scope_lists"], pattern=CODE)
    if not isinstance(terms["onward_sharing"], bool):
        problems.add("onward_sharing", "must be true or false")
    problems.check_choice("attribution", terms["attribution"], Attribution.values)
    problems.check_choice("permitted_actions", terms["permitted_actions"], PermittedActions.values)
    problems.check_choice(
        "encrypt_in_transit", terms["encrypt_in_transit"], EncryptInTransit.values
    )
    problems.check_choice(
        "affected_party_notifications",
        terms["affected_party_notifications"],
        AffectedPartyNotifications.values,
    )
    legal_basis = terms["legal_basis"]
    if not isinstance(legal_basis, str) or len(legal_basis) > LEGAL_BASIS_MAX:
        problems.add("legal_basis", f"must be text of at most {LEGAL_BASIS_MAX} characters")
    if accepted_by is not None and accepted_by.pk not in (provider.pk, recipient.pk):
        problems.add("accepted_by", "must be one of the parties")
    return problems.by_field


def agreement_create(
    *,
    provider: Agency,
    recipient: Agency,
    actor: Actor,
    status: str = AgreementStatus.PROPOSED,
    accepted_by: Agency | None = None,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    kinds: Sequence[str] = (ItemKind.SAR,),
    max_tlp: str = Tlp.AMBER,
    withheld: Sequence[str] = (),
    scope_countries: Sequence[str] = (),
    scope_hs_chapters: Sequence[str] = (),
    scope_control_prefixes: Sequence[str] = (),
    scope_red_flags: Sequence[str] = (),
    scope_lists: Sequence[str] = (),
    onward_sharing: bool = False,
    attribution: str = Attribution.MUST,
    permitted_actions: str = PermittedActions.INTERNALLY_VISIBLE,
    encrypt_in_transit: str = EncryptInTransit.MUST,
    affected_party_notifications: str = AffectedPartyNotifications.MAY,
    legal_basis: str = "",
) -> Agreement:
    """Create an agreement, proposed (or active: the caller checked it is a hub admin).

    `accepted_by`: the party whose admin creates it; that counts as its acceptance.
    Refuses (422, `invalid_agreement`, every problem in `details`) and stores
    nothing when a value is not valid.
    """
    now = timezone.now()
    terms: dict[str, Any] = {
        "valid_from": valid_from or now,
        "valid_until": valid_until,
        "kinds": list(kinds),
        "max_tlp": max_tlp,
        "withheld": list(withheld),
        "scope_countries": list(scope_countries),
        "scope_hs_chapters": list(scope_hs_chapters),
        "scope_control_prefixes": list(scope_control_prefixes),
        "scope_red_flags": list(scope_red_flags),
        "scope_lists": list(scope_lists),
        "onward_sharing": onward_sharing,
        "attribution": attribution,
        "permitted_actions": permitted_actions,
        "encrypt_in_transit": encrypt_in_transit,
        "affected_party_notifications": affected_party_notifications,
        "legal_basis": legal_basis,
    }
    problems = agreement_problems(
        provider=provider,
        recipient=recipient,
        status=status,
        accepted_by=accepted_by,
        terms=terms,
        now=now,
    )
    if problems:
        raise Refused(
            f"The agreement is not valid: {', '.join(sorted(problems))}.",
            code="invalid_agreement",
            details=problems,
        )
    agreement = Agreement(
        provider=provider, recipient=recipient, status=status, created_at=now, **terms
    )
    if status == AgreementStatus.ACTIVE:
        agreement.provider_accepted_at = now
        agreement.recipient_accepted_at = now
    elif accepted_by is not None:
        _record_acceptance(agreement, party=accepted_by, moment=now)
    with transaction.atomic():
        agreement.save()
        _audit(agreement=agreement, actor=actor, action="agreement.create", before=None)
    return agreement


def _record_acceptance(agreement: Agreement, *, party: Agency | None, moment: datetime) -> bool:
    """Record `party`'s acceptance (None: a hub admin, for both). True if anything changed."""
    changed = False
    if (party is None or party.pk == agreement.provider_id) and not agreement.provider_accepted_at:
        agreement.provider_accepted_at = moment
        changed = True
    if (
        party is None or party.pk == agreement.recipient_id
    ) and not agreement.recipient_accepted_at:
        agreement.recipient_accepted_at = moment
        changed = True
    return changed


def _locked(agreement: Agreement) -> Agreement:
    """The agreement's row, locked for the rest of the transaction and read afresh."""
    return (
        Agreement.objects.select_for_update()
        .select_related("provider", "recipient")
        .get(pk=agreement.pk)
    )


def _refuse_if_terminated(agreement: Agreement) -> None:
    if agreement.status == AgreementStatus.TERMINATED:
        raise Conflict(
            "The agreement was terminated; that is final.",
            code="agreement_terminated",
            details={"status": agreement.status},
        )


def agreement_accept(*, agreement: Agreement, party: Agency | None, actor: Actor) -> Agreement:
    """`party` accepts a proposed or suspended agreement (None: a hub admin, for both).

    Active once both parties have accepted. Accepting twice is harmless; accepting
    an active, terminated or expired agreement is a conflict (409).
    """
    with transaction.atomic():
        agreement = _locked(agreement)
        now = timezone.now()
        _refuse_if_terminated(agreement)
        if agreement.status == AgreementStatus.ACTIVE:
            raise Conflict(
                "The agreement is already active.",
                code="agreement_already_active",
                details={"status": agreement.status},
            )
        if agreement.valid_until is not None and agreement.valid_until <= now:
            raise Conflict(
                "The agreement has expired; create a new one.",
                code="agreement_expired",
                details={"valid_until": agreement.valid_until.isoformat()},
            )
        if party is not None and party.pk not in (agreement.provider_id, agreement.recipient_id):
            raise Refused(f"{party.code} is not a party to this agreement.", code="not_a_party")
        before = agreement_snapshot(agreement)
        if not _record_acceptance(agreement, party=party, moment=now):
            return agreement  # this party had accepted already: nothing to change or audit
        if agreement.provider_accepted_at and agreement.recipient_accepted_at:
            agreement.status = AgreementStatus.ACTIVE
        agreement.save()
        _audit(agreement=agreement, actor=actor, action="agreement.accept", before=before)
    return agreement


def _stop(
    agreement: Agreement, *, new_status: str, actor: Actor, action: str, reason: str
) -> Agreement:
    """Suspend or terminate, and cancel every delivery still waiting under the agreement."""
    before = agreement_snapshot(agreement)
    agreement.status = new_status
    # Resuming a suspended agreement needs both parties again.
    agreement.provider_accepted_at = None
    agreement.recipient_accepted_at = None
    agreement.save()
    cancelled = agreement_deliveries_cancel(agreement=agreement)
    _audit(
        agreement=agreement,
        actor=actor,
        action=action,
        before=before,
        extra={"reason": reason, "cancelled_deliveries": cancelled},
    )
    return agreement


def agreement_suspend(*, agreement: Agreement, actor: Actor, reason: str = "") -> Agreement:
    """Suspend an active agreement: nothing more is delivered, pending deliveries are cancelled."""
    with transaction.atomic():
        agreement = _locked(agreement)
        _refuse_if_terminated(agreement)
        if agreement.status != AgreementStatus.ACTIVE:
            raise Conflict(
                f"Only an active agreement can be suspended; this one is {agreement.status}.",
                code="agreement_not_active",
                details={"status": agreement.status},
            )
        return _stop(
            agreement,
            new_status=AgreementStatus.SUSPENDED,
            actor=actor,
            action="agreement.suspend",
            reason=reason,
        )


def agreement_terminate(*, agreement: Agreement, actor: Actor, reason: str = "") -> Agreement:
    """End an agreement for good (from proposed, active or suspended); pending deliveries stop."""
    with transaction.atomic():
        agreement = _locked(agreement)
        _refuse_if_terminated(agreement)
        return _stop(
            agreement,
            new_status=AgreementStatus.TERMINATED,
            actor=actor,
            action="agreement.terminate",
            reason=reason,
        )
