"""One contest with everything in it, and one user per persona, for the security tests.

Contest C (published) has a track, three scenarios (one published scenario per publisher
organization and a draft of P1), a qualification round R1 still taking submissions and a
scored round R2 in judging with a rubric, a judge pool, assignments and reviews; the track
host runs the track's judging. Team A
(captain + member) and team B each have a solution with a submitted version and files.
R1 has a published result with an objection; R2 has unpublished results. Team A holds an
award. Contest D belongs to another organizer.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from contest.enums import OrganizationKind, Role, RoundKind, RoundStatus, ScenarioStatus
from contest.models import SecurityEvent
from judging.enums import ConflictSource, ReviewStatus
from judging.models import ConflictFlag, ConflictOfInterest, JudgeAssignment, JudgePoolMember, Review, Score
from judging.results.enums import ObjectorKind
from judging.results.models import Award, Objection, RoundResult
from judging.results.services.publication import publication_publish
from notifications.models import Notification
from submissions import services as submission_services
from submissions.models import Invitation, RoundEntry, TeamFactChange, TeamMembership
from tests.factories.contest import (
    ContestFactory,
    ContestRoleFactory,
    OrganizationFactory,
    RoundFactory,
    ScenarioFactory,
    TrackFactory,
    UserFactory,
)
from tests.factories.judging import CriterionFactory, RubricFactory
from tests.factories.submissions import TeamFactory, TeamMembershipFactory

PERSONAS = (
    "anonymous",
    "captain_a",
    "member_a",
    "captain_b",
    "judge_assigned",
    "judge_unassigned",
    "judge_conflicted",
    "publisher_own",
    "publisher_other",
    "organizer",
    "organizer_other",
    "track_host",
)

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PASSWORD = "pass-1234-word"

# The models whose rows the security tests compare before and after a refused request.
APP_LABELS = ("contest", "submissions", "judging", "results", "notifications")


def pdf(text: str = "方案书") -> bytes:
    return PDF + f"% {text}\n".encode()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@dataclass
class World:
    users: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        objects = self.__dict__.get("objects", {})
        if name in objects:
            return objects[name]
        raise AttributeError(name)

    def user(self, persona):
        return self.users.get(persona)


def build_world() -> World:
    w = World()
    o = w.objects
    now = timezone.now()
    p1 = OrganizationFactory(name="上海银行股份有限公司", kind=OrganizationKind.SOE)
    p2 = OrganizationFactory(name="临港集团", kind=OrganizationKind.SOE)
    contest = ContestFactory(name="数字化转型创新大赛", max_team_size=5, max_entries_per_team=3)
    other_contest = ContestFactory(name="另一大赛")
    track = TrackFactory(contest=contest, name="金融赛道")
    scenario = ScenarioFactory(track=track, contest=contest, publisher=p1, title="智能风控")
    scenario_b = ScenarioFactory(track=track, contest=contest, publisher=p2, title="园区数字孪生")
    scenario_draft = ScenarioFactory(
        track=track, contest=contest, publisher=p1, title="草稿场景", status=ScenarioStatus.DRAFT
    )
    other_track = TrackFactory(contest=other_contest)
    other_scenario = ScenarioFactory(track=other_track, contest=other_contest, status=ScenarioStatus.DRAFT)
    round1 = RoundFactory(
        contest=contest,
        sequence=1,
        name="资格审查",
        kind=RoundKind.QUALIFICATION,
        status=RoundStatus.OPEN,
        submission_opens_at=now - dt.timedelta(days=3),
        submission_deadline=now + dt.timedelta(days=7),
        judging_opens_at=now + dt.timedelta(days=8),
        judging_closes_at=now + dt.timedelta(days=9),
        required_documents=["proposal"],
        max_upload_bytes=64 * 1024,
    )
    round2 = RoundFactory(
        contest=contest,
        sequence=2,
        name="初赛",
        status=RoundStatus.JUDGING,
        submission_opens_at=now - dt.timedelta(days=3),
        submission_deadline=now - dt.timedelta(days=2),
        judging_opens_at=now - dt.timedelta(days=1),
        judging_closes_at=now + dt.timedelta(days=5),
        blind_review=True,
        min_reviews=1,
    )
    other_round = RoundFactory(contest=other_contest, sequence=1)
    rubric = RubricFactory(round=round2)
    criterion = CriterionFactory(rubric=rubric, key="innovation", name="创新性", max_score=Decimal("50"))
    criterion2 = CriterionFactory(rubric=rubric, key="feasibility", name="可行性", max_score=Decimal("50"))
    other_rubric = RubricFactory(round=other_round)

    team_a = TeamFactory(contest=contest, name="揭榜A队", lead_unit=OrganizationFactory(name="A科技有限公司"))
    team_b = TeamFactory(contest=contest, name="揭榜B队", lead_unit=OrganizationFactory(name="B科技有限公司"))
    member_a = TeamMembershipFactory(team=team_a, organization=team_a.lead_unit).user
    invitation = Invitation.objects.create(
        team=team_a,
        email="invitee@example.com",
        token="tok-" + hashlib.sha256(str(team_a.pk).encode()).hexdigest()[:32],
        expires_at=now + dt.timedelta(days=3),
        invited_by=team_a.captain,
    )

    users = {
        "captain_a": team_a.captain,
        "member_a": member_a,
        "captain_b": team_b.captain,
        "organizer": ContestRoleFactory(contest=contest, role=Role.ORGANIZER).user,
        "organizer_other": ContestRoleFactory(contest=other_contest, role=Role.ORGANIZER).user,
        "publisher_own": ContestRoleFactory(contest=contest, role=Role.PUBLISHER, organization=p1).user,
        "publisher_other": ContestRoleFactory(contest=contest, role=Role.PUBLISHER, organization=p2).user,
        # 承办 staff of the track holding both solutions: runs its judging, sees no score.
        "track_host": ContestRoleFactory(contest=contest, role=Role.TRACK_HOST, track=track).user,
    }
    for persona in ("judge_assigned", "judge_unassigned", "judge_conflicted"):
        users[persona] = ContestRoleFactory(contest=contest, role=Role.JUDGE).user
        JudgePoolMember.objects.create(round=round2, judge=users[persona])
    users["outsider"] = UserFactory()
    for user in users.values():
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])

    # Team A and team B take up scenarios and submit a version each (files really stored).
    sol_a = submission_services.solution_create(
        actor=team_a.captain, team=team_a, scenario=scenario, title="A队智能风控方案", abstract="A摘要"
    )
    submission_services.solution_version_create(
        actor=team_a.captain,
        solution=sol_a,
        title="A队智能风控方案",
        abstract="A摘要",
        uploads=[("proposal", upload("A队方案书.pdf", pdf("A")))],
    )
    submission_services.solution_submit(actor=team_a.captain, solution=sol_a, version_number=1)
    submission_services.solution_version_create(
        actor=member_a,
        solution=sol_a,
        title="A队智能风控方案 v2",
        abstract="A摘要",
        uploads=[("proposal", upload("A队方案书v2.pdf", pdf("A2")))],
    )
    sol_b = submission_services.solution_create(
        actor=team_b.captain, team=team_b, scenario=scenario_b, title="B队数字孪生方案", abstract="B摘要"
    )
    submission_services.solution_version_create(
        actor=team_b.captain,
        solution=sol_b,
        title="B队数字孪生方案",
        abstract="B摘要",
        uploads=[("proposal", upload("B队方案书.pdf", pdf("B")))],
    )
    submission_services.solution_submit(actor=team_b.captain, solution=sol_b, version_number=1)
    sol_a.refresh_from_db()
    sol_b.refresh_from_db()
    for sol in (sol_a, sol_b):
        RoundEntry.objects.get_or_create(round=round2, solution=sol)

    # Judging in round 2: the assigned judge holds both solutions; the conflicted judge has an
    # active assignment for A but a declared conflict with team A.
    asg_a = JudgeAssignment.objects.create(round=round2, solution=sol_a, judge=users["judge_assigned"])
    asg_b = JudgeAssignment.objects.create(round=round2, solution=sol_b, judge=users["judge_assigned"])
    asg_conflicted = JudgeAssignment.objects.create(round=round2, solution=sol_a, judge=users["judge_conflicted"])
    conflict = ConflictOfInterest.objects.create(
        contest=contest, judge=users["judge_conflicted"], team=team_a, source=ConflictSource.DECLARED, reason="曾合作"
    )
    review_b = Review.objects.create(
        assignment=asg_b,
        round=round2,
        solution=sol_b,
        judge=users["judge_assigned"],
        status=ReviewStatus.SUBMITTED,
        submitted_at=now,
        comment="评语",
    )
    Score.objects.create(review=review_b, criterion=criterion, value=Decimal("40"))
    Score.objects.create(review=review_b, criterion=criterion2, value=Decimal("35"))
    # A conflict found after that review was submitted, waiting for the organizers.
    flag_b = ConflictFlag.objects.create(
        round=round2,
        assignment=asg_b,
        review=review_b,
        judge=users["judge_assigned"],
        solution=sol_b,
        reasons=["organization_group"],
    )
    # Team A asked for another co-unit; no organizer has decided yet.
    fact_change_a = TeamFactChange.objects.create(
        team=team_a, requested_by=team_a.captain, co_units=[p2.pk], reason="新增联合单位"
    )

    # Results: round 1 published (with an objection by team B), round 2 aggregated but unpublished.
    result_r1_a = RoundResult.objects.create(
        round=round1, solution=sol_a, group_key=f"track:{track.pk}", score=Decimal("88.50"), rank=1, judge_count=3
    )
    result_r1_b = RoundResult.objects.create(
        round=round1, solution=sol_b, group_key=f"track:{track.pk}", score=Decimal("80.00"), rank=2, judge_count=3
    )
    result_r2_b = RoundResult.objects.create(
        round=round2, solution=sol_b, group_key=f"track:{track.pk}", score=Decimal("75.00"), rank=1, judge_count=1
    )
    publication = publication_publish(round_=round1, actor=users["organizer"])
    objection = Objection.objects.create(
        publication=publication,
        solution=sol_a,
        raised_by=users["captain_b"],
        objector_kind=ObjectorKind.INDIVIDUAL,
        real_name="王五",
        organization_name="B科技有限公司",
        reason="成绩异议",
    )
    award = Award.objects.create(
        contest=contest,
        solution=sol_a,
        level="first",
        final_rank=1,
        matched=True,
        verification_code="VERIFY-A-" + str(sol_a.pk),
        team_name=team_a.name,
        solution_title=sol_a.title,
        scenario_title=sol_a.scenario.title,
        confirmed_at=now,
        confirmed_by=users["organizer"],
    )
    notice_a = Notification.objects.create(
        recipient=users["captain_a"], kind="round_results", channel="in_app", subject="A", body="A", dedup_key="sec:a"
    )
    notice_b = Notification.objects.create(
        recipient=users["captain_b"], kind="round_results", channel="in_app", subject="B", body="B", dedup_key="sec:b"
    )
    # One recorded refusal per contest: organizers read only their contest's.
    refusal = {
        "source": "api",
        "method": "POST",
        "code": "deadline_passed",
        "status": 409,
        "created_at": timezone.now(),
    }
    event_a = SecurityEvent.objects.create(
        contest=contest, user=users["member_a"], path="/api/v1/solutions/1/submit/", **refusal
    )
    event_other = SecurityEvent.objects.create(contest=other_contest, path="/api/v1/solutions/2/submit/", **refusal)

    w.users = users
    o.update(
        event_a=event_a,
        event_other=event_other,
        contest=contest,
        other_contest=other_contest,
        track=track,
        other_track=other_track,
        scenario=scenario,
        scenario_b=scenario_b,
        scenario_draft=scenario_draft,
        other_scenario=other_scenario,
        round1=round1,
        round2=round2,
        other_round=other_round,
        rubric=rubric,
        criterion=criterion,
        other_rubric=other_rubric,
        team_a=team_a,
        team_b=team_b,
        invitation=invitation,
        sol_a=sol_a,
        sol_b=sol_b,
        file_a_final=sol_a.final_version.files.get(),
        file_a_draft=sol_a.versions.get(number=2).files.get(),
        file_b=sol_b.final_version.files.get(),
        pool_assigned=JudgePoolMember.objects.get(round=round2, judge=users["judge_assigned"]),
        asg_a=asg_a,
        asg_b=asg_b,
        asg_conflicted=asg_conflicted,
        conflict=conflict,
        review_b=review_b,
        flag_b=flag_b,
        fact_change_a=fact_change_a,
        result_r1_a=result_r1_a,
        result_r1_b=result_r1_b,
        result_r2_b=result_r2_b,
        publication=publication,
        objection=objection,
        award=award,
        notice_a=notice_a,
        notice_b=notice_b,
        membership_member_a=TeamMembership.objects.get(team=team_a, user=member_a),
    )
    return w


# A refused request writes the record of its refusal, and nothing else (test_security_events.py).
NOT_STATE = {"contest.SecurityEvent"}


def _tables() -> list[tuple[str, str]]:
    tables = []
    for label in APP_LABELS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.label in NOT_STATE:
                continue
            tables.append((model._meta.label, model._meta.db_table))
            for m2m in model._meta.local_many_to_many:
                through = m2m.remote_field.through
                if through._meta.auto_created:
                    tables.append((through._meta.label, through._meta.db_table))
    return tables


def db_snapshot() -> dict:
    """A digest of every row of our apps' tables, to prove a refused request changed nothing.

    PostgreSQL: one round trip of md5 digests; SQLite: the rows themselves.
    """
    tables = _tables()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            digest = "(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {} t)"
            parts = ", ".join(digest.format(connection.ops.quote_name(table)) for _, table in tables)
            cursor.execute(f"SELECT {parts}")  # noqa: S608 - table names from models
            return dict(zip((label for label, _ in tables), cursor.fetchone(), strict=True))
        snapshot = {}
        for label, table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - table names from models
            snapshot[label] = sorted(map(repr, cursor.fetchall()))
        return snapshot


def snapshot_diff(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after.get(label)]
