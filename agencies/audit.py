"""The hash-chained audit trail (DESIGN section 7).

Every mutation calls `audit_record` inside its own transaction, so the record
commits or rolls back with the change. Appends are serialised by locking the
single AuditHead row; each record's hash covers the previous hash and a
canonical JSON form of the record.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import AuditHead, AuditRecord

GENESIS_HASH = "0" * 64


def _canonical(value: Any) -> Any:
    """The JSON form a value takes once stored, so hashing before and after agree."""
    return json.loads(json.dumps(value, default=str, sort_keys=True))


def record_digest(*, prev_hash: str, fields: dict[str, Any]) -> str:
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def _hashed_fields(record: AuditRecord) -> dict[str, Any]:
    return {
        "seq": record.seq,
        "at": record.at.isoformat(),
        "actor": record.actor,
        "agency": record.agency,
        "action": record.action,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "before": record.before,
        "after": record.after,
    }


def audit_record_chained(
    *,
    seq: int,
    prev_hash: str,
    at: datetime,
    actor: str,
    agency: str,
    action: str,
    object_type: str,
    object_id: Any,
    before: Any = None,
    after: Any = None,
) -> AuditRecord:
    """The record following `prev_hash` as number `seq`, hashed but not saved.

    For bulk appenders that hold the AuditHead lock themselves and insert many
    records at once; everyone else calls `audit_record`.
    """
    record = AuditRecord(
        seq=seq,
        at=at,
        actor=actor[:200],
        agency=agency or "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=_canonical(before),
        after=_canonical(after),
        prev_hash=prev_hash,
    )
    record.hash = record_digest(prev_hash=prev_hash, fields=_hashed_fields(record))
    return record


def audit_record(
    *,
    actor: str,
    agency: str,
    action: str,
    object_type: str,
    object_id: str,
    before: Any = None,
    after: Any = None,
) -> AuditRecord:
    """Append one record to the chain. Must run inside the mutation's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the mutation's transaction")
    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
    record = audit_record_chained(
        seq=head.last_seq + 1,
        prev_hash=head.last_hash,
        at=timezone.now(),
        actor=actor,
        agency=agency,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
    )
    record.save()
    head.last_seq = record.seq
    head.last_hash = record.hash
    head.save(update_fields=["last_seq", "last_hash"])
    return record


@dataclass(frozen=True)
class BrokenLink:
    seq: int
    reason: str


def audit_chain_verify(*, batch_size: int = 2000) -> tuple[int, BrokenLink | None]:
    """Walk the chain in order; return (records checked, first broken link or None)."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for record in AuditRecord.objects.order_by("seq").iterator(chunk_size=batch_size):
        if record.seq != expected_seq:
            return checked, BrokenLink(expected_seq, f"record #{expected_seq} is missing")
        if record.prev_hash != prev_hash:
            return checked, BrokenLink(record.seq, "prev_hash does not match the previous record")
        if record.hash != record_digest(prev_hash=prev_hash, fields=_hashed_fields(record)):
            return checked, BrokenLink(record.seq, "contents do not match the stored hash")
        prev_hash = record.hash
        expected_seq += 1
        checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and head.last_seq != checked:
        return checked, BrokenLink(checked + 1, "records at the end of the chain were removed")
    return checked, None
