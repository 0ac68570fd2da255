"""The audit chain detects an edited row, a deleted row and a deleted tail; verify_audit exits non-zero.

Events are written unchained in the caller's transaction and linked after commit
(`audit_chain_pending`), so the tests chain explicitly where a test transaction never commits."""

import pytest
from django.core.management import CommandError, call_command

from contest import services
from contest.audit import audit_chain_pending, audit_record, audit_verify
from contest.enums import ScenarioStatus
from contest.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


@pytest.fixture
def chain(world):
    scenario = world.scenario(ScenarioStatus.DRAFT)
    services.scenario_update(actor=world.users["own_publisher"], scenario=scenario, data={"title": "一"})
    services.scenario_submit_for_review(actor=world.users["own_publisher"], scenario=scenario)
    services.scenario_reject(actor=world.users["organizer"], scenario=scenario, reason="理由")
    audit_record(actor=None, action="system.check", object_type="test", object_id="1", after={"n": 1})
    assert audit_chain_pending() == 4
    return list(AuditEvent.objects.order_by("id"))


def test_an_intact_chain_verifies(chain, capsys):
    report = audit_verify()
    assert (report.ok, report.checked) == (True, 4)
    call_command("verify_audit")
    assert "audit chain intact: 4 event(s)" in capsys.readouterr().out


def test_an_edited_after_is_detected(chain):
    AuditEvent.objects.filter(pk=chain[1].pk).update(after={**chain[1].after, "status": "published"})

    report = audit_verify()

    assert not report.ok
    assert any(f"event {chain[1].pk}: content does not match" in p for p in report.problems)
    with pytest.raises(CommandError, match="audit chain broken"):
        call_command("verify_audit")


@pytest.mark.parametrize("column", ["action", "actor", "object_id", "before", "created_at"])
def test_any_edited_column_is_detected(chain, column, world):
    values = {
        "action": "scenario.approve",
        "actor": world.users["judge"],
        "object_id": "999",
        "before": {"status": "x"},
        "created_at": chain[0].created_at.replace(year=2020),
    }
    AuditEvent.objects.filter(pk=chain[0].pk).update(**{column: values[column]})
    assert not audit_verify().ok


def test_a_deleted_row_in_the_middle_is_detected(chain):
    AuditEvent.objects.filter(pk=chain[1].pk).delete()

    report = audit_verify()

    assert any(f"event {chain[2].pk}: previous hash does not match" in p for p in report.problems)


def test_a_deleted_last_row_is_detected_by_the_head(chain):
    AuditEvent.objects.filter(pk=chain[-1].pk).delete()
    assert any("head" in p for p in audit_verify().problems)


def test_a_rehashed_edit_is_still_detected_by_the_next_link(chain):
    """Recomputing the edited row's own hash does not help: the next row points at the old one."""
    from contest.audit import _hash_of

    row = chain[1]
    row.after = {**row.after, "status": "published"}
    new_hash = _hash_of(row, prev_hash=row.prev_hash)
    AuditEvent.objects.filter(pk=row.pk).update(after=row.after, hash=new_hash)
    assert any(f"event {chain[2].pk}: previous hash" in p for p in audit_verify().problems)


def test_a_recorded_event_waits_unchained_and_is_reported_as_pending(db):
    event = audit_record(actor=None, action="system.check", object_type="test", object_id="1")
    event.refresh_from_db()

    report = audit_verify()

    assert (event.seq, event.hash, event.prev_hash) == (None, None, "")
    assert (report.ok, report.checked, report.pending, report.oldest_pending) == (True, 0, 1, event.created_at)


def test_chaining_links_in_batches_continues_the_chain_and_is_idempotent(db, monkeypatch):
    monkeypatch.setattr("contest.audit.CHAIN_BATCH", 2)
    for n in range(3):
        audit_record(actor=None, action="system.check", object_type="test", object_id=str(n))
    assert audit_chain_pending() == 3
    audit_record(actor=None, action="system.check", object_type="test", object_id="3")

    assert (audit_chain_pending(), audit_chain_pending()) == (1, 0)

    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert events[0].prev_hash == "0" * 64
    report = audit_verify()
    assert (report.ok, report.checked, report.pending) == (True, 4, 0)


def test_a_renumbered_event_is_detected(chain):
    AuditEvent.objects.filter(pk=chain[-1].pk).update(seq=99)
    assert any(f"event {chain[-1].pk}: position 99, expected 4" in p for p in audit_verify().problems)


def test_verify_audit_chains_waiting_events_first_unless_told_not_to(chain, capsys):
    audit_record(actor=None, action="system.check", object_type="test", object_id="late")

    call_command("verify_audit", "--no-chain")
    out = capsys.readouterr().out
    assert "audit chain intact: 4 event(s)" in out and "1 event(s) not chained yet" in out

    call_command("verify_audit")
    out = capsys.readouterr().out
    assert "chained 1 waiting event(s)" in out and "audit chain intact: 5 event(s)" in out
