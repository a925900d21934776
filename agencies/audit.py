"""The hash-chained audit trail (DESIGN section 7).

Every mutation calls `audit_record` inside its own transaction, so the record
commits or rolls back with the change. Appends are serialised by locking the
single AuditHead row; each record's hash covers the previous hash and a
canonical JSON form of the record.

The head lock is held until the transaction ends, so a hot path (publishing)
wraps its transaction's work in `audit_deferred()`: the records are collected
and appended together when the block ends, still inside the transaction, so
the lock is taken only just before the commit.
"""

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from .db import bulk_insert, rows_insert
from .models import AuditHead, AuditRecord

GENESIS_HASH = "0" * 64


@dataclass
class _Deferred:
    """The records of one `audit_deferred` block, and the savepoint depth it opened at."""

    depth: int
    records: list[AuditRecord]


_deferred: ContextVar[_Deferred | None] = ContextVar("audit_deferred", default=None)


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


def _unchained(
    *,
    actor: str,
    agency: str,
    action: str,
    object_type: str,
    object_id: Any,
    before: Any,
    after: Any,
) -> AuditRecord:
    return AuditRecord(
        actor=actor[:200],
        agency=agency or "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=_canonical(before),
        after=_canonical(after),
    )


def _chain(record: AuditRecord, *, seq: int, prev_hash: str, at: datetime) -> None:
    record.seq = seq
    record.at = at
    record.prev_hash = prev_hash
    record.hash = record_digest(prev_hash=prev_hash, fields=_hashed_fields(record))


def _savepoint_depth() -> int:
    return len(transaction.get_connection().savepoint_ids)


def _head_locked() -> tuple[int, str]:
    """Lock the chain's head row until the transaction ends; its last seq and hash."""
    connection = transaction.get_connection()
    table = connection.ops.quote_name(AuditHead._meta.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    # Plain SQL: this runs on every mutation, and the ORM's compiler costs more than the query.
    sql = f"SELECT last_seq, last_hash FROM {table} WHERE id = 1{lock}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    if row is None:  # the first record ever
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        return head.last_seq, head.last_hash
    return row


def _head_move(*, seq: int, last_hash: str) -> tuple[str, list]:
    """The UPDATE (SQL, params) that moves the head to the last appended record."""
    table = transaction.get_connection().ops.quote_name(AuditHead._meta.db_table)
    sql = f"UPDATE {table} SET last_seq = %s, last_hash = %s WHERE id = 1"  # noqa: S608
    return sql, [seq, last_hash]


def _append(records: list[AuditRecord]) -> None:
    """Chain `records` after the head and save them: the head locked, then moved with the insert."""
    seq, prev_hash = _head_locked()
    now = timezone.now()
    for record in records:
        seq += 1
        _chain(record, seq=seq, prev_hash=prev_hash, at=now)
        prev_hash = record.hash
    head_move = _head_move(seq=seq, last_hash=prev_hash)
    if len(records) <= 100:
        rows_insert(records, alongside=head_move)  # one round trip on PostgreSQL
        return
    bulk_insert(AuditRecord, records)  # bulk publishing: COPY, no ids needed
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(*head_move)


def audit_deferring() -> bool:
    """Whether `audit_record` here would be collected by an `audit_deferred` block."""
    deferred = _deferred.get()
    return deferred is not None and deferred.depth == _savepoint_depth()


@contextmanager
def audit_deferred() -> Iterator[None]:
    """Collect the `audit_record` calls made inside; append them all when the block ends.

    Use it as the last context inside the mutation's `transaction.atomic()`, so
    the records are appended (and the head locked) right before the commit, in
    the same transaction. If the block raises, nothing is appended. A record
    made inside a savepoint opened within the block is written at once instead
    (the savepoint may roll back; a collected record would not). Nested blocks
    collect into the outermost one.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_deferred must run inside the mutation's transaction")
    if _deferred.get() is not None:
        yield
        return
    deferred = _Deferred(depth=_savepoint_depth(), records=[])
    token = _deferred.set(deferred)
    try:
        yield
    finally:
        _deferred.reset(token)
    if deferred.records:
        _append(deferred.records)


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
    """Append one record to the chain. Must run inside the mutation's transaction.

    Inside `audit_deferred()` the record is appended when that block ends (its
    seq, hash and time are set then).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the mutation's transaction")
    record = _unchained(
        actor=actor,
        agency=agency,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
    )
    if audit_deferring():
        _deferred.get().records.append(record)
    else:
        _append([record])
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
