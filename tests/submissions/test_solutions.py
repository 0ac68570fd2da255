"""Taking up scenarios, immutable versions, final submission, deadlines, withdrawal, transfer."""

import datetime as dt

import pytest

from contest.enums import ScenarioStatus
from contest.models import AuditEvent
from notifications.models import Notification
from submissions import files, services
from submissions.enums import EntryStatus, SolutionStatus
from submissions.errors import (
    CaptainOnlyError,
    ConfirmationRequiredError,
    DeadlinePassedError,
    EntryCapReachedError,
    FileTooLargeError,
    FileTypeNotAllowedError,
    MissingDocumentsError,
    NotTeamMemberError,
    ScenarioNotOpenError,
    SolutionExistsError,
    SolutionStateError,
    TransferNotAllowedError,
    UnsafeArchiveError,
    VersionNotFoundError,
)
from submissions.models import RoundEntry, Solution, SolutionFile, SolutionVersion, SubmissionReceipt
from submissions.services import solutions as solution_services
from tests.factories.contest import ScenarioFactory, TrackFactory

from .conftest import AFTER, DEADLINE, ELF, PNG, full_files, media_snapshot, pdf, upload, zip_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def _media_root(settings_):
    from pathlib import Path

    return Path(settings_.MEDIA_ROOT)


# --- taking up a scenario (揭榜) --------------------------------------------------------------


def test_solution_create_is_draft_and_audited(solution):
    assert solution.status == SolutionStatus.DRAFT
    assert AuditEvent.objects.filter(action="solution.create", object_id=str(solution.pk)).exists()


def test_solution_create_captain_only(clock, round1, scenario, team, member):
    with pytest.raises(CaptainOnlyError):
        services.solution_create(actor=member, team=team, scenario=scenario, title="x")


@pytest.mark.parametrize("status", [ScenarioStatus.CLOSED, ScenarioStatus.WITHDRAWN, ScenarioStatus.DRAFT])
def test_solution_create_refuses_scenario_not_published(clock, round1, track, team, captain, status):
    scenario = ScenarioFactory(track=track, status=status)
    with pytest.raises(ScenarioNotOpenError):
        services.solution_create(actor=captain, team=team, scenario=scenario, title="x")


def test_one_solution_per_team_and_scenario(solution, team, captain, scenario):
    with pytest.raises(SolutionExistsError):
        services.solution_create(actor=captain, team=team, scenario=scenario, title="again")


def test_entry_cap_and_uncounted_statuses(clock, round1, track, team, captain):
    # max_entries_per_team == 2
    s1, s2, s3 = (ScenarioFactory(track=track) for _ in range(3))
    first = services.solution_create(actor=captain, team=team, scenario=s1, title="1")
    services.solution_create(actor=captain, team=team, scenario=s2, title="2")
    with pytest.raises(EntryCapReachedError) as exc:
        services.solution_create(actor=captain, team=team, scenario=s3, title="3")
    assert exc.value.extra == {"limit": 2}
    services.solution_withdraw(actor=captain, solution=first)
    assert services.solution_create(actor=captain, team=team, scenario=s3, title="3")


def test_solution_create_after_deadline_refused(clock, round1, scenario, team, captain):
    clock(AFTER)
    with pytest.raises(DeadlinePassedError):
        services.solution_create(actor=captain, team=team, scenario=scenario, title="x")
    assert not Solution.objects.exists()


# --- versions --------------------------------------------------------------------------------


def test_versions_are_immutable_numbered_and_stored_under_generated_names(settings, solution, captain, member):
    v1 = services.solution_version_create(actor=member, solution=solution, title="T", uploads=full_files())
    v2 = services.solution_version_create(
        actor=captain, solution=solution, title="T2", uploads=[("proposal", upload("../../新方案.pdf", pdf("v2")))]
    )
    assert (v1.number, v2.number) == (1, 2)
    solution.refresh_from_db()
    assert solution.version_count == 2
    v1_files = {f.kind: f for f in v1.files.all()}
    v2_files = {f.kind: f for f in v2.files.all()}
    assert set(v2_files) == {"proposal", "commitment"}
    # The commitment letter is carried over, the proposal replaced; version 1 is untouched.
    assert v2_files["commitment"].sha256 == v1_files["commitment"].sha256
    assert v2_files["proposal"].sha256 != v1_files["proposal"].sha256
    assert v1_files["proposal"].original_name == "方案书.pdf"
    assert v2_files["proposal"].original_name == "新方案.pdf"
    for f in SolutionFile.objects.all():
        assert f.file.name.startswith(f"solutions/{solution.pk}/")
        assert f.file.name.rsplit("/", 1)[1][:-4].isalnum()
        assert (_media_root(settings) / f.file.name).is_file()
    assert v1.sha256 != v2.sha256 and len(v1.sha256) == 64
    assert SolutionVersion.objects.get(pk=v1.pk).sha256 == v1.sha256


def test_hostile_name_sanitised_and_nothing_outside_media(settings, tmp_path, solution, member):
    before = media_snapshot(tmp_path)
    version = services.solution_version_create(
        actor=member,
        solution=solution,
        title="T",
        uploads=[("proposal", upload("../../..\\etc/\u202eevil\x00\x07.pdf", pdf()))],
    )
    file = version.files.get()
    assert file.original_name == "evil.pdf"
    created = media_snapshot(tmp_path) - before
    assert created == {_media_root(settings).relative_to(tmp_path) / file.file.name}


@pytest.mark.parametrize(
    ("kind", "name", "content", "error"),
    [
        ("proposal", "方案书.pdf", ELF, FileTypeNotAllowedError),
        ("attachment", "src.zip", zip_bytes({"../../evil.txt": b"x"}), UnsafeArchiveError),
        ("proposal", "big.pdf", pdf() + b"0" * (64 * 1024), FileTooLargeError),
    ],
)
def test_refused_file_stores_nothing(tmp_path, solution, member, kind, name, content, error):
    before = media_snapshot(tmp_path)
    good = ("commitment", upload("ok.png", PNG))
    with pytest.raises(error):
        services.solution_version_create(
            actor=member, solution=solution, title="T", uploads=[good, (kind, upload(name, content))]
        )
    assert media_snapshot(tmp_path) == before
    assert not SolutionVersion.objects.exists()


def test_upload_limit_counts_all_files_of_a_version(tmp_path, solution, member):
    # 64 KiB per version: two 40 KiB files are refused together.
    half = pdf() + b"0" * (40 * 1024)
    with pytest.raises(FileTooLargeError):
        services.solution_version_create(
            actor=member,
            solution=solution,
            title="T",
            uploads=[("proposal", upload("a.pdf", half)), ("attachment", upload("b.pdf", half))],
        )
    assert not SolutionVersion.objects.exists()


def test_failure_after_storing_deletes_files(monkeypatch, tmp_path, solution, member):
    before = media_snapshot(tmp_path)

    def boom(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(solution_services, "_create_version_locked", boom)
    with pytest.raises(RuntimeError):
        services.solution_version_create(actor=member, solution=solution, title="T", uploads=full_files())
    assert media_snapshot(tmp_path) == before
    assert Solution.objects.get(pk=solution.pk).version_count == 0


def test_upload_by_outsider_refused(solution, team_b):
    with pytest.raises(NotTeamMemberError):
        services.solution_version_create(actor=team_b.captain, solution=solution, title="T", uploads=full_files())


def test_upload_after_deadline_refused(clock, tmp_path, solution, member):
    clock(AFTER)
    before = media_snapshot(tmp_path)
    with pytest.raises(DeadlinePassedError):
        services.solution_version_create(actor=member, solution=solution, title="T", uploads=full_files())
    assert media_snapshot(tmp_path) == before


def test_upload_whose_deadline_passes_while_its_files_are_stored_is_refused(
    clock, tmp_path, monkeypatch, solution, member
):
    """The round read before the files are stored is kept, but the clock is read again under the
    lock: a deadline passing in between refuses the upload, and its stored files are deleted."""
    clock(DEADLINE.replace(microsecond=0) + dt.timedelta(milliseconds=500))  # the last accepting second
    store = files.store_upload

    def store_then_tick(*args, **kwargs):
        name = store(*args, **kwargs)
        clock(DEADLINE + dt.timedelta(seconds=1))
        return name

    monkeypatch.setattr(files, "store_upload", store_then_tick)
    before = media_snapshot(tmp_path)
    with pytest.raises(DeadlinePassedError):
        services.solution_version_create(actor=member, solution=solution, title="T", uploads=full_files())
    assert media_snapshot(tmp_path) == before
    assert not SolutionVersion.objects.filter(solution=solution).exists()


# --- final submission ------------------------------------------------------------------------


def test_submit_creates_receipt_entry_and_notices(solution, captain, member, round1):
    version = services.solution_version_create(actor=member, solution=solution, title="T", uploads=full_files())
    receipt = services.solution_submit(actor=captain, solution=solution, version_number=1)
    solution.refresh_from_db()
    assert solution.status == SolutionStatus.SUBMITTED
    assert solution.final_version == version
    assert solution.submitted_at is not None
    assert (receipt.version, receipt.sha256, receipt.round) == (version, version.sha256, round1)
    assert RoundEntry.objects.get(solution=solution).round == round1
    recipients = set(Notification.objects.filter(kind="submission_receipt").values_list("recipient", flat=True))
    assert recipients == {captain.pk, member.pk}
    assert receipt.code in Notification.objects.filter(kind="submission_receipt").first().body


def test_submit_captain_only(solution, captain, member):
    services.solution_version_create(actor=member, solution=solution, title="T", uploads=full_files())
    with pytest.raises(CaptainOnlyError):
        services.solution_submit(actor=member, solution=solution, version_number=1)


def test_submit_missing_documents(solution, captain):
    services.solution_version_create(
        actor=captain, solution=solution, title="T", uploads=[("proposal", upload("a.pdf", pdf()))]
    )
    with pytest.raises(MissingDocumentsError) as exc:
        services.solution_submit(actor=captain, solution=solution, version_number=1)
    assert exc.value.extra["missing"] == ["commitment"]
    solution.refresh_from_db()
    assert (solution.status, solution.final_version) == (SolutionStatus.DRAFT, None)
    assert not SubmissionReceipt.objects.exists()


def test_submit_unknown_version(solution, captain):
    with pytest.raises(VersionNotFoundError):
        services.solution_submit(actor=captain, solution=solution, version_number=7)


def test_later_submission_replaces_final_and_history_keeps_both(clock, submitted, captain):
    first_time = submitted.submitted_at
    clock(DEADLINE - dt.timedelta(hours=1))
    services.solution_version_create(
        actor=captain, solution=submitted, title="新标题", uploads=[("attachment", upload("补充.pdf", pdf("more")))]
    )
    services.solution_submit(actor=captain, solution=submitted, version_number=2)
    submitted.refresh_from_db()
    assert submitted.final_version.number == 2
    assert submitted.submitted_at > first_time
    assert submitted.title == "新标题"
    assert [r.version.number for r in submitted.receipts.order_by("id")] == [1, 2]
    assert RoundEntry.objects.filter(solution=submitted).count() == 1


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [
        (dt.timedelta(seconds=-1), True),  # 23:59:58
        (dt.timedelta(milliseconds=999), True),  # 23:59:59.999
        (dt.timedelta(seconds=1), False),  # 00:00:00.000
        (dt.timedelta(seconds=2), False),  # 00:00:01
    ],
)
def test_deadline_boundary_on_server_clock(clock, solution, captain, offset, accepted):
    services.solution_version_create(actor=captain, solution=solution, title="T", uploads=full_files())
    clock(DEADLINE + offset)
    if accepted:
        receipt = services.solution_submit(actor=captain, solution=solution, version_number=1)
        assert receipt.submitted_at == DEADLINE + offset
    else:
        with pytest.raises(DeadlinePassedError):
            services.solution_submit(actor=captain, solution=solution, version_number=1)
        solution.refresh_from_db()
        assert (solution.status, solution.final_version, solution.submitted_at) == (SolutionStatus.DRAFT, None, None)
        assert not SubmissionReceipt.objects.exists() and not RoundEntry.objects.exists()


# --- withdrawal ------------------------------------------------------------------------------


def test_withdraw_member_refused(submitted, member):
    with pytest.raises(CaptainOnlyError):
        services.solution_withdraw(actor=member, solution=submitted)
    submitted.refresh_from_db()
    assert submitted.status == SolutionStatus.SUBMITTED


def test_withdraw_before_deadline_then_submit_again(clock, submitted, captain):
    services.solution_withdraw(actor=captain, solution=submitted, reason="重新准备")
    submitted.refresh_from_db()
    assert submitted.status == SolutionStatus.WITHDRAWN
    assert RoundEntry.objects.get(solution=submitted).status == EntryStatus.WITHDRAWN
    first_time = submitted.submitted_at
    clock(DEADLINE - dt.timedelta(minutes=5))
    services.solution_version_create(actor=captain, solution=submitted, title="T", uploads=full_files())
    services.solution_submit(actor=captain, solution=submitted, version_number=2)
    submitted.refresh_from_db()
    assert submitted.status == SolutionStatus.SUBMITTED
    assert submitted.final_version.number == 2 and submitted.submitted_at > first_time
    assert RoundEntry.objects.get(solution=submitted).status == EntryStatus.ACTIVE


def test_withdrawn_solution_resubmitted_respects_entry_cap(clock, track, submitted, team, captain):
    services.solution_withdraw(actor=captain, solution=submitted)
    services.solution_create(actor=captain, team=team, scenario=ScenarioFactory(track=track), title="b")
    services.solution_create(actor=captain, team=team, scenario=ScenarioFactory(track=track), title="c")
    with pytest.raises(EntryCapReachedError):
        services.solution_submit(actor=captain, solution=submitted, version_number=1)


def test_withdraw_after_deadline_is_retirement_needing_confirmation(clock, submitted, captain, member, round2):
    clock(AFTER)
    with pytest.raises(CaptainOnlyError):
        services.solution_withdraw(actor=member, solution=submitted, confirm=True)
    with pytest.raises(ConfirmationRequiredError):
        services.solution_withdraw(actor=captain, solution=submitted)
    submitted.refresh_from_db()
    assert submitted.status == SolutionStatus.SUBMITTED
    services.solution_withdraw(actor=captain, solution=submitted, confirm=True, reason="团队变动")
    submitted.refresh_from_db()
    assert submitted.status == SolutionStatus.RETIRED
    assert not RoundEntry.objects.filter(solution=submitted, status=EntryStatus.ACTIVE).exists()
    assert AuditEvent.objects.filter(action="solution.retire", object_id=str(submitted.pk)).exists()
    # Irreversible.
    with pytest.raises(SolutionStateError):
        services.solution_withdraw(actor=captain, solution=submitted, confirm=True)
    with pytest.raises(SolutionStateError):
        services.solution_submit(actor=captain, solution=submitted, version_number=1)


# --- scenario withdrawn (撤榜) ----------------------------------------------------------------


def test_scenario_withdrawal_makes_pending_transfer_and_void(
    clock, round1, scenario, submitted, team_b, organizer, publisher
):
    from contest import services as contest_services

    draft = services.solution_create(actor=team_b.captain, team=team_b, scenario=scenario, title="草稿")
    contest_services.scenario_withdrawal_request(actor=publisher, scenario=scenario, reason="需求调整")
    contest_services.scenario_withdrawal_approve(actor=organizer, scenario=scenario)
    submitted.refresh_from_db()
    draft.refresh_from_db()
    assert submitted.status == SolutionStatus.PENDING_TRANSFER
    assert draft.status == SolutionStatus.VOID
    assert RoundEntry.objects.get(solution=submitted).status == EntryStatus.WITHDRAWN
    notified = set(Notification.objects.filter(kind="scenario_withdrawn").values_list("recipient", flat=True))
    assert notified == {submitted.team.captain_id, team_b.captain_id}


def test_transfer_keeps_versions_and_resubmits(clock, scenario, other_scenario, submitted, captain, organizer):
    services.solutions_on_scenario_withdrawn(scenario=scenario, actor=organizer)
    final_before = Solution.objects.get(pk=submitted.pk).final_version_id
    services.solution_transfer(actor=captain, solution=submitted, scenario=other_scenario)
    submitted.refresh_from_db()
    assert (submitted.scenario, submitted.status) == (other_scenario, SolutionStatus.SUBMITTED)
    assert submitted.final_version_id == final_before and submitted.versions.count() == 1
    assert RoundEntry.objects.get(solution=submitted).status == EntryStatus.ACTIVE


def test_transfer_rules(clock, contest, scenario, submitted, captain, member, organizer):
    services.solutions_on_scenario_withdrawn(scenario=scenario, actor=organizer)
    elsewhere = ScenarioFactory(track=TrackFactory(contest=contest))
    with pytest.raises(TransferNotAllowedError):
        services.solution_transfer(actor=captain, solution=submitted, scenario=elsewhere)
    closed = ScenarioFactory(track=scenario.track, status=ScenarioStatus.CLOSED)
    with pytest.raises(TransferNotAllowedError):
        services.solution_transfer(actor=captain, solution=submitted, scenario=closed)
    with pytest.raises(CaptainOnlyError):
        services.solution_transfer(actor=member, solution=submitted, scenario=ScenarioFactory(track=scenario.track))
    clock(AFTER)
    with pytest.raises(DeadlinePassedError):
        services.solution_transfer(actor=captain, solution=submitted, scenario=ScenarioFactory(track=scenario.track))


def test_pending_transfer_does_not_count_against_cap(clock, track, scenario, submitted, team, captain, organizer):
    services.solution_create(actor=captain, team=team, scenario=ScenarioFactory(track=track), title="2")
    services.solutions_on_scenario_withdrawn(scenario=scenario, actor=organizer)
    assert services.solution_create(actor=captain, team=team, scenario=ScenarioFactory(track=track), title="3")


def test_untransferred_solutions_end_after_deadline(clock, scenario, submitted, organizer):
    from submissions.tasks import end_untransferred_task

    services.solutions_on_scenario_withdrawn(scenario=scenario, actor=organizer)
    assert end_untransferred_task(contest_id=submitted.contest_id) == 0
    clock(AFTER)
    assert end_untransferred_task(contest_id=submitted.contest_id) == 1
    submitted.refresh_from_db()
    assert submitted.status == SolutionStatus.ENDED
    assert end_untransferred_task(contest_id=submitted.contest_id) == 0
    assert end_untransferred_task() == 0
    assert end_untransferred_task(contest_id=999999) == 0


def test_media_root_is_per_test(settings, tmp_path):
    assert str(settings.MEDIA_ROOT).startswith(str(tmp_path))
    assert files.default_storage.location.startswith(str(tmp_path))


def test_receipt_mail_goes_out_only_after_commit(django_capture_on_commit_callbacks, mailoutbox, solution, captain):
    services.solution_version_create(actor=captain, solution=solution, title="T", uploads=full_files())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        receipt = services.solution_submit(actor=captain, solution=solution, version_number=1)
    assert callbacks and mailoutbox == []
    for callback in callbacks:
        callback()
    assert [m.to for m in mailoutbox] == [[captain.email]]
    assert receipt.code in mailoutbox[0].body and receipt.sha256 in mailoutbox[0].body


def test_task_names():
    from submissions.tasks import end_untransferred_task, expire_supplements_task

    assert end_untransferred_task.name == "submissions.end_untransferred"
    assert expire_supplements_task.name == "submissions.expire_supplements"


def test_orphan_files_sweep(clock, settings, submitted, captain):
    import os
    import time as time_module

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from submissions.tasks import sweep_orphan_files_task

    kept = {f.file.name for f in SolutionFile.objects.all()}
    stray_old = default_storage.save(f"solutions/{submitted.pk}/stray-old.pdf", ContentFile(b"x"))
    stray_new = default_storage.save(f"solutions/{submitted.pk}/stray-new.pdf", ContentFile(b"x"))
    spool = os.path.join(settings.MEDIA_ROOT, files.INCOMING_DIR)
    os.makedirs(spool, exist_ok=True)
    spooled = os.path.join(spool, "abandoned.upload")
    with open(spooled, "wb") as fh:
        fh.write(b"x")
    two_days_ago = time_module.time() - 2 * 86400
    for path in (default_storage.path(stray_old), spooled, *(default_storage.path(n) for n in kept)):
        os.utime(path, (two_days_ago, two_days_ago))
    clock(dt.datetime.fromtimestamp(time_module.time(), tz=dt.UTC))
    assert sweep_orphan_files_task() == 2
    assert not default_storage.exists(stray_old) and not os.path.exists(spooled)
    assert default_storage.exists(stray_new)
    assert all(default_storage.exists(n) for n in kept)
    assert sweep_orphan_files_task() == 0
