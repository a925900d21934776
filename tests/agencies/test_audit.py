import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from agencies.audit import audit_chain_verify, audit_deferred, audit_record
from agencies.models import AuditHead, AuditRecord
from tests.factories import agency_make

pytestmark = pytest.mark.django_db


def test_chain_of_untouched_records_verifies(capsys):
    for code in ("AA-ONE", "BB-TWO", "CC-THREE"):
        agency_make(code)
    call_command("audit_verify")
    assert "intact: 3 records" in capsys.readouterr().out


def test_edited_row_is_named_as_the_first_broken_link():
    for code in ("AA-ONE", "BB-TWO", "CC-THREE"):
        agency_make(code)
    AuditRecord.objects.filter(seq=2).update(after={"code": "BB-TWO", "name": "forged"})
    with pytest.raises(CommandError, match="record #2"):
        call_command("audit_verify")


def test_deleted_tail_record_is_detected():
    for code in ("AA-ONE", "BB-TWO"):
        agency_make(code)
    AuditRecord.objects.filter(seq=2).delete()
    _, broken = audit_chain_verify()
    assert broken is not None
    assert broken.seq == 2


def _note(action: str) -> None:
    audit_record(actor="test", agency="AA-ONE", action=action, object_type="note", object_id="1")


def test_deferred_records_are_appended_together_at_the_end_of_the_block():
    agency_make("AA-ONE")
    with transaction.atomic():
        with audit_deferred():
            _note("first")
            _note("second")
            assert AuditRecord.objects.count() == 1  # only the agency's, so far
            assert AuditHead.objects.get(pk=1).last_seq == 1
        assert AuditRecord.objects.count() == 3
    actions = list(AuditRecord.objects.order_by("seq").values_list("action", flat=True))
    assert actions[1:] == ["first", "second"]
    assert audit_chain_verify() == (3, None)


def test_deferred_block_that_raises_appends_nothing():
    agency_make("AA-ONE")

    def publish_and_fail() -> None:
        with transaction.atomic(), audit_deferred():
            _note("lost")
            raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        publish_and_fail()
    with transaction.atomic(), audit_deferred():
        _note("kept")
    assert list(AuditRecord.objects.order_by("seq").values_list("action", flat=True)) == [
        "agency.create",
        "kept",
    ]
    assert audit_chain_verify() == (2, None)


def test_record_in_a_savepoint_rolled_back_inside_a_deferred_block_is_not_kept():
    agency_make("AA-ONE")
    with transaction.atomic(), audit_deferred():
        _note("before")
        try:
            with transaction.atomic():
                _note("undone")
                raise ValueError
        except ValueError:
            pass
        _note("after")
    actions = list(AuditRecord.objects.order_by("seq").values_list("action", flat=True))
    assert actions[1:] == ["before", "after"]
    assert audit_chain_verify() == (3, None)
