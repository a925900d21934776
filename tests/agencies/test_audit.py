import pytest
from django.core.management import CommandError, call_command

from agencies.audit import audit_chain_verify
from agencies.models import AuditRecord
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
