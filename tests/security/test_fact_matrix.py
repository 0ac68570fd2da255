"""Who may change the facts: every fact that conflict detection, team limits or results rest on
× every role × every phase of the contest, through the public API and the pages.

The facts: team A's lead unit, co-units (directly and through an approved change request),
member list, members' organizations, its entries and their scenarios, the judge's organization
and group on the pool entry (and the judge's own profile, which must not reach it), and the
scenario's publisher. The phases: before the first round's deadline, judging (deadline passed),
results published, and closed with a confirmed award.

Each attempt runs in a savepoint rolled back afterwards, so every role starts from the same
world. An allowed attempt changes its fact; any other leaves it as it was, and a refused one
(4xx) changes no row at all. Once the deadline has passed, no attempt changes a review, and once
results are published none changes a result, a publication or an award.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from contest.enums import ContestStatus, OrganizationKind, Role, RoundKind, RoundStatus
from judging.enums import ReviewStatus
from judging.models import ConflictFlag, JudgePoolMember, Review
from judging.results.models import Award, Publication, RoundResult
from judging.results.services.publication import publication_publish
from judging.services.conflicts import judge_conflicts_with
from submissions.models import Solution, Team, TeamFactChange, TeamMembership
from tests.factories.contest import (
    ContestFactory,
    ContestRoleFactory,
    OrganizationFactory,
    RoundFactory,
    ScenarioFactory,
    TrackFactory,
    UserFactory,
)
from tests.factories.judging import (
    CriterionFactory,
    JudgeAssignmentFactory,
    JudgePoolMemberFactory,
    ReviewFactory,
    RubricFactory,
    ScoreFactory,
)
from tests.factories.submissions import RoundEntryFactory, SolutionFactory, TeamFactory, TeamMembershipFactory

from .world import db_snapshot, snapshot_diff

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

ROLES = ("anonymous", "member", "captain", "other_team", "judge", "publisher", "organizer")
PHASES = ("before_deadline", "judging", "published", "closed")
EVERY_PHASE = {(r, p) for r in ROLES for p in PHASES}


@dataclass
class W:
    phase: str
    contest: object
    round: object
    team: Team
    team_b: Team
    solution: Solution
    scenario: object
    scenario2: object
    users: dict
    pool_member: JudgePoolMember
    review: Review
    change: TeamFactChange
    judge_org: object
    other_org: object


def build(phase: str) -> W:
    now = timezone.now()
    judge_group = OrganizationFactory(name="海岳控股集团", kind=OrganizationKind.SOE)
    judge_org = OrganizationFactory(name="海岳数科有限公司", parent=judge_group)
    publisher_org = OrganizationFactory(name="申江发榜银行", kind=OrganizationKind.SOE)
    other_org = OrganizationFactory(name="星河研究院")
    contest = ContestFactory(name="青云杯", status=ContestStatus.PUBLISHED)
    track = TrackFactory(contest=contest)
    scenario = ScenarioFactory(contest=contest, track=track, publisher=publisher_org, title="智能风控")
    scenario2 = ScenarioFactory(contest=contest, track=track, publisher=OrganizationFactory(), title="数字孪生")
    before = phase == "before_deadline"
    status = {
        "before_deadline": RoundStatus.OPEN,
        "judging": RoundStatus.JUDGING,
        "published": RoundStatus.AGGREGATED,  # publication_publish moves it on
        "closed": RoundStatus.AGGREGATED,
    }[phase]
    round_ = RoundFactory(
        contest=contest,
        sequence=1,
        kind=RoundKind.SCORED,
        status=status,
        submission_opens_at=now - dt.timedelta(days=10),
        submission_deadline=now + dt.timedelta(days=7) if before else now - dt.timedelta(days=3),
        judging_opens_at=now - dt.timedelta(days=2),
        judging_closes_at=now + dt.timedelta(days=5),
    )
    criterion = CriterionFactory(rubric=RubricFactory(round=round_), max_score=Decimal("100"))
    team = TeamFactory(contest=contest, name="破晓队", lead_unit=OrganizationFactory(name="破晓科技"))
    member = TeamMembershipFactory(team=team, organization=OrganizationFactory(name="成员单位")).user
    team_b = TeamFactory(contest=contest, name="乙队")
    solution = SolutionFactory(contest=contest, team=team, scenario=scenario, title="风控方案")
    RoundEntryFactory(round=round_, solution=solution)
    judge = UserFactory(username="judge_x", organization=judge_org)
    ContestRoleFactory(user=judge, contest=contest, role=Role.JUDGE)
    pool_member = JudgePoolMemberFactory(round=round_, judge=judge, group="专家")
    assignment = JudgeAssignmentFactory(round=round_, solution=solution, judge=judge)
    review = ReviewFactory(
        assignment=assignment,
        status=ReviewStatus.DRAFT if before else ReviewStatus.SUBMITTED,
        submitted_at=None if before else now,
    )
    ScoreFactory(review=review, criterion=criterion, value=Decimal("90"))
    organizer = ContestRoleFactory(contest=contest, role=Role.ORGANIZER).user
    publisher = ContestRoleFactory(contest=contest, role=Role.PUBLISHER, organization=publisher_org).user
    if phase in ("published", "closed"):
        RoundResult.objects.create(round=round_, solution=solution, group_key="contest", score=Decimal("90"), rank=1)
        publication_publish(round_=round_, actor=organizer)
    if phase == "closed":
        Award.objects.create(
            contest=contest,
            solution=solution,
            level="first",
            final_rank=1,
            verification_code="FACTS-1",
            team_name=solution.team.name,
            solution_title=solution.title,
            scenario_title=solution.scenario.title,
            confirmed_at=now,
            confirmed_by=organizer,
        )
        round_.status = RoundStatus.CLOSED
        round_.save(update_fields=["status"])
        contest.status = ContestStatus.CLOSED
        contest.save(update_fields=["status"])
    # The attack through the proper path: the captain asks for the judge's organization as a co-unit.
    change = TeamFactChange.objects.create(
        team=team, requested_by=team.captain, co_units=[judge_org.pk], reason="新增联合单位"
    )
    users = {
        "anonymous": None,
        "member": member,
        "captain": team.captain,
        "other_team": team_b.captain,
        "judge": judge,
        "publisher": publisher,
        "organizer": organizer,
    }
    return W(
        phase, contest, round_, team, team_b, solution, scenario, scenario2, users, pool_member, review, change,
        judge_org, other_org,
    )  # fmt: skip


# --- the facts and the attempts --------------------------------------------------------------


def _profile(w: W, user, organization_id):
    data = {
        "full_name": "某人",
        "email": user.email if user else "",
        "phone": "",
        "organization": organization_id,
        "preferred_language": "zh-hans",
    }
    return "page", "post", "/accounts/profile/", data


@dataclass(frozen=True)
class Fact:
    name: str
    read: object  # W -> value
    attempt: object  # (W, user) -> (kind, method, path, body)
    allowed: frozenset
    # True: a role that may not change the fact must be refused (4xx). False: the request may
    # succeed for what it does change (the role's own profile, team or an ignored field).
    refusal: bool = True


def _team(w):
    w.team.refresh_from_db()
    return w.team


FACTS = [
    Fact(
        "lead_unit",
        lambda w: _team(w).lead_unit_id,
        lambda w, u: ("api", "patch", f"/api/v1/teams/{w.team.pk}/", {"lead_unit": w.judge_org.pk}),
        frozenset({("captain", "before_deadline")}),
    ),
    Fact(
        "co_units",
        lambda w: sorted(w.team.co_units.values_list("pk", flat=True)),
        lambda w, u: ("api", "patch", f"/api/v1/teams/{w.team.pk}/", {"co_units": [w.judge_org.pk]}),
        frozenset({("captain", "before_deadline")}),
    ),
    Fact(
        "co_units_by_request",
        lambda w: sorted(w.team.co_units.values_list("pk", flat=True)),
        lambda w, u: (
            "api",
            "post",
            f"/api/v1/team-fact-changes/{w.change.pk}/decide/",
            {"approve": True, "reason": "材料齐全，同意"},
        ),
        frozenset({("organizer", p) for p in PHASES}),
    ),
    Fact(
        "member_list",
        lambda w: sorted(TeamMembership.objects.filter(team=w.team).values_list("user_id", flat=True)),
        lambda w, u: ("api", "delete", f"/api/v1/teams/{w.team.pk}/members/{w.users['member'].pk}/", None),
        frozenset({("captain", "before_deadline"), ("member", "before_deadline")}),
    ),
    Fact(
        "member_invitations",
        lambda w: w.team.invitations.count(),
        lambda w, u: ("api", "post", f"/api/v1/teams/{w.team.pk}/invitations/", {"email": "new@example.com"}),
        frozenset({("captain", "before_deadline")}),
    ),
    Fact(
        "member_organizations",
        lambda w: sorted(TeamMembership.objects.filter(team=w.team).values_list("user_id", "organization_id")),
        lambda w, u: _profile(w, u, w.judge_org.pk),
        frozenset({("captain", "before_deadline"), ("member", "before_deadline")}),
        refusal=False,
    ),
    Fact(
        "team_entries",
        lambda w: sorted(Solution.objects.filter(team=w.team).values_list("pk", "scenario_id")),
        lambda w, u: ("api", "post", "/api/v1/solutions/", {"scenario": w.scenario2.pk, "title": "新方案"}),
        frozenset({("captain", "before_deadline")}),
        refusal=False,  # the other team's captain takes up the scenario for their own team
    ),
    Fact(
        "solution_scenario",
        lambda w: Solution.objects.get(pk=w.solution.pk).scenario_id,
        lambda w, u: ("api", "post", f"/api/v1/solutions/{w.solution.pk}/transfer/", {"scenario": w.scenario2.pk}),
        frozenset(),
    ),
    Fact(
        "judge_pool_organization",
        lambda w: JudgePoolMember.objects.get(pk=w.pool_member.pk).organization_id,
        lambda w, u: ("api", "patch", f"/api/v1/judging/pool/{w.pool_member.pk}/", {"organization": w.other_org.pk}),
        frozenset({("organizer", "before_deadline"), ("organizer", "judging")}),
    ),
    Fact(
        "judge_pool_group",
        lambda w: JudgePoolMember.objects.get(pk=w.pool_member.pk).group,
        lambda w, u: ("api", "patch", f"/api/v1/judging/pool/{w.pool_member.pk}/", {"group": "企业专家"}),
        frozenset({("organizer", "before_deadline"), ("organizer", "judging")}),
    ),
    Fact(
        "judge_conflicts_via_profile",
        lambda w: (
            JudgePoolMember.objects.get(pk=w.pool_member.pk).organization_id,
            judge_conflicts_with(judge=w.users["judge"], solution=w.solution, round_id=w.round.pk),
        ),
        lambda w, u: _profile(w, u, w.team.lead_unit_id),
        frozenset(),
        refusal=False,
    ),
    Fact(
        "scenario_publisher",
        lambda w: type(w.scenario).objects.get(pk=w.scenario.pk).publisher_id,
        lambda w, u: ("api", "patch", f"/api/v1/scenarios/{w.scenario.pk}/", {"publisher": w.other_org.pk}),
        frozenset(),
        refusal=False,  # the field is not writable: ignored where an edit is allowed at all
    ),
]


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _send(client, kind, method, path, body):
    if kind == "page":
        return client.post(path, body)
    if body is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, body, content_type="application/json")


def _issued(w: W) -> dict:
    """What must never change once issued: reviews after the deadline; results, publications
    and awards once published."""
    return {
        "reviews": sorted(Review.objects.filter(round=w.round).values_list("pk", "status", "void_reason")),
        "results": sorted(RoundResult.objects.filter(round=w.round).values_list("pk", "score", "rank", "advanced")),
        "publications": sorted(Publication.objects.filter(round=w.round).values_list("pk", "digest", "superseded")),
        "awards": sorted(Award.objects.filter(contest=w.contest).values_list("pk", "level", "verification_code")),
    }


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("fact", FACTS, ids=[f.name for f in FACTS])
def test_who_may_change_the_fact(db, phase, fact):
    w = build(phase)
    problems = []
    for role in ROLES:
        user = w.users[role]
        with transaction.atomic():
            client = _client(user)  # logging in writes last_login: before the snapshot
            before_fact = fact.read(w)
            before_rows = db_snapshot()
            before_issued = _issued(w)
            response = _send(client, *fact.attempt(w, user))
            after_fact = fact.read(w)
            changed_tables = snapshot_diff(before_rows, db_snapshot())
            after_issued = _issued(w)
            transaction.set_rollback(True)
        status = response.status_code
        if (role, phase) in fact.allowed:
            if status >= 400 or after_fact == before_fact:
                problems.append(f"{role}: allowed but status {status}, fact {before_fact} -> {after_fact}")
        else:
            if after_fact != before_fact:
                problems.append(f"{role}: changed the fact {before_fact} -> {after_fact} (status {status})")
            if fact.refusal and status < 400:
                problems.append(f"{role}: not refused (status {status})")
            if status >= 400:
                if changed_tables:
                    problems.append(f"{role}: refused ({status}) but changed {changed_tables}")
                if role != "anonymous" and status not in (404,):
                    body = response.json()
                    if set(body) != {"code", "detail", "extra"}:
                        problems.append(f"{role}: error without the stable shape: {body}")
        if phase != "before_deadline":
            keys = ("reviews", "results", "publications", "awards")
            moved = [k for k in keys if before_issued[k] != after_issued[k]]
            if moved:
                problems.append(f"{role}: changed what was issued: {moved}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("phase", ["judging", "published", "closed"])
def test_an_approved_change_after_scoring_flags_and_voids_nothing(db, phase):
    """The organizer approves the judge's organization as a co-unit: the judge's submitted review
    stands and a flag with the reason goes to the organizers."""
    w = build(phase)
    response = _send(_client(w.users["organizer"]), *FACTS[2].attempt(w, w.users["organizer"]))
    assert response.status_code == 200, response.content
    assert Review.objects.get(pk=w.review.pk).status == ReviewStatus.SUBMITTED
    flag = ConflictFlag.objects.get(review=w.review)
    assert (flag.status, flag.reasons) == ("open", ["organization_group"])
    listed = _client(w.users["organizer"]).get(f"/api/v1/judging/rounds/{w.round.pk}/conflict-flags/")
    assert [f["id"] for f in listed.json()] == [flag.pk]
