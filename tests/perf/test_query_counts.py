"""Query discipline: every list endpoint of the API runs the same number of SQL queries whether it
returns 1 row or 50, at most 8 (detail endpoints at most 6); the exact counts are pinned below.

The endpoints come from the OpenAPI schema, so a new GET endpoint that is missing from the tables
fails `test_every_get_endpoint_is_pinned`. Lists are measured twice in one world: with one row of
each kind (`?page_size=1` for paginated lists), and after 49 more rows of each kind were added
(`?page_size=50`). Each endpoint is called as the role that sees its rows.
"""

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from contest.enums import Role, RoundStatus
from contest.models import SecurityEvent
from judging.models import ConflictFlag, ConflictOfInterest
from judging.results.models import Award, Objection, Publication, RoundResult
from notifications.models import Notification
from submissions.enums import EntryStatus
from submissions.models import (
    EligibilityDecision,
    Invitation,
    SolutionFile,
    SolutionVersion,
    SubmissionReceipt,
    TeamFactChange,
)
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
)
from tests.factories.submissions import RoundEntryFactory, SolutionFactory, TeamFactory, TeamMembershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

LIST_MAX, DETAIL_MAX = 8, 6
SAVEPOINT_SQL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")

# path template -> (role, exact number of queries). The same count holds for 1 and for 50 rows.
LISTS = {
    "/api/v1/contests/": ("organizer", 4),
    "/api/v1/contests/{contest_id}/awards/": ("organizer", 3),
    "/api/v1/judging/my/assignments/": ("judge", 5),
    "/api/v1/judging/rounds/{round_id}/assignments/": ("organizer", 4),
    "/api/v1/judging/rounds/{round_id}/conflicts/": ("organizer", 3),
    "/api/v1/judging/rounds/{round_id}/conflict-flags/": ("organizer", 3),
    "/api/v1/teams/{id}/fact-changes/": ("captain", 4),
    "/api/v1/judging/rounds/{round_id}/conflicts/computed/": ("organizer", 6),
    "/api/v1/judging/rounds/{round_id}/pool/": ("organizer", 4),
    "/api/v1/judging/rounds/{round_id}/reviews/": ("organizer", 6),
    "/api/v1/judging/rounds/{round_id}/rubrics/": ("organizer", 5),
    "/api/v1/judging/rounds/{round_id}/blind-title-flags/": ("organizer", 4),
    "/api/v1/notifications/": ("captain", 2),
    "/api/v1/objections/": ("captain", 1),
    "/api/v1/rounds/": ("organizer", 3),
    "/api/v1/rounds/{round_id}/my-feedback/": ("captain", 4),
    "/api/v1/rounds/{round_id}/publications/": ("organizer", 3),
    "/api/v1/rounds/{round_id}/results/": ("organizer", 4),
    "/api/v1/scenarios/": ("organizer", 3),
    "/api/v1/security-events/": ("organizer", 3),
    "/api/v1/solutions/": ("organizer", 7),
    "/api/v1/solutions/{id}/eligibility/": ("organizer", 5),
    "/api/v1/solutions/{id}/receipts/": ("captain", 3),
    "/api/v1/solutions/{id}/versions/": ("captain", 4),
    "/api/v1/teams/": ("organizer", 3),
    "/api/v1/teams/{id}/invitations/": ("captain", 4),
    "/api/v1/teams/{id}/members/": ("captain", 4),
    "/api/v1/tracks/": ("organizer", 4),
}

# The public scenario pages, anonymous: path template -> exact number of queries on a cache miss
# (page size 50 for the list). A hit of the public read cache (contest/api/cache.py) runs none.
PUBLIC_CACHED = {
    "/api/v1/scenarios/": 2,  # the count, the page
    "/api/v1/scenarios/{id}/": 1,
}

# path template -> (role, exact number of queries), or None: not a JSON detail of a row
# (files, PDFs, exports, aggregates), measured by their owners' tests instead.
DETAILS = {
    "/api/v1/": ("anonymous", 0),
    "/api/v1/awards/{award_id}/certificate.pdf": None,
    "/api/v1/certificates/{code}/": ("anonymous", 2),
    "/api/v1/contests/{id}/": ("organizer", 3),
    "/api/v1/files/{id}/download/": None,
    "/api/v1/judging/my/assignments/{assignment_id}/": ("judge", 5),
    "/api/v1/judging/rounds/{round_id}/progress/": ("organizer", 3),
    "/api/v1/judging/rubrics/{rubric_id}/": ("organizer", 4),
    "/api/v1/notifications/{id}/": ("captain", 1),
    "/api/v1/notifications/unread-count/": ("captain", 1),
    "/api/v1/publications/{publication_id}/verify/": ("anonymous", 1),  # the stored table only, no rebuild
    "/api/v1/rounds/{id}/": ("organizer", 2),
    "/api/v1/rounds/{round_id}/aggregate/status/": ("organizer", 3),
    "/api/v1/rounds/{round_id}/exports/{kind}.{fmt}": None,
    "/api/v1/rounds/{round_id}/leaderboard/": ("organizer", 2),
    "/api/v1/scenarios/{id}/": ("organizer", 2),
    "/api/v1/security-events/export/": None,
    "/api/v1/solutions/{id}/": ("captain", 4),
    "/api/v1/teams/{id}/": ("captain", 2),
    "/api/v1/tracks/{id}/": ("organizer", 3),
}


def _get_endpoints():
    """(path, is_list) for every GET operation of the API, from the OpenAPI schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    endpoints = []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if not get or not path.startswith("/api/v1/"):
            continue
        body = get["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
        is_list = body.get("type") == "array" or "Paginated" in body.get("$ref", "")
        endpoints.append((path, is_list))
    return endpoints


def test_every_get_endpoint_is_pinned():
    endpoints = _get_endpoints()
    lists = {p for p, is_list in endpoints if is_list}
    others = {p for p, is_list in endpoints if not is_list}
    assert sorted(lists - set(LISTS)) == [], "list endpoints without a pinned query count"
    assert sorted(others - set(DETAILS)) == [], "detail endpoints without a pinned query count"
    assert sorted(set(LISTS) - lists) == [], "pinned list endpoints that no longer exist"
    assert sorted(set(DETAILS) - others) == [], "pinned detail endpoints that no longer exist"
    for path, (_role, count) in LISTS.items():
        assert count <= LIST_MAX, path
    for path, pinned in DETAILS.items():
        assert pinned is None or pinned[1] <= DETAIL_MAX, path


class World:
    """One contest with a round in judging whose results are published, seen by each role."""

    def __init__(self):
        now = timezone.now()
        self.now = now
        self.n = 0
        self.contest = ContestFactory()
        self.org = OrganizationFactory()
        self.organizer = UserFactory()
        ContestRoleFactory(user=self.organizer, contest=self.contest, role=Role.ORGANIZER)
        self.judge = UserFactory(organization=OrganizationFactory())
        ContestRoleFactory(user=self.judge, contest=self.contest, role=Role.JUDGE)
        self.track = TrackFactory(contest=self.contest)
        self.scenario = ScenarioFactory(track=self.track, contest=self.contest)
        self.round = RoundFactory(
            contest=self.contest,
            sequence=1,
            status=RoundStatus.PUBLISHED,
            judging_opens_at=now - dt.timedelta(days=2),
            judging_closes_at=now + dt.timedelta(days=5),
        )
        self.rubric = RubricFactory(round=self.round)
        CriterionFactory(rubric=self.rubric)
        self.team = TeamFactory(contest=self.contest, lead_unit=self.org)
        self.captain = self.team.captain
        self.solution = SolutionFactory(contest=self.contest, scenario=self.scenario, team=self.team)
        self.publication = Publication.objects.create(
            round=self.round,
            number=1,
            published_at=now - dt.timedelta(hours=1),
            publicity_starts_at=now - dt.timedelta(hours=1),
            publicity_ends_at=now + dt.timedelta(days=5),
            table=[],
            digest="0" * 64,
            published_by=self.organizer,
        )
        self.award = None
        self.version = None
        self.notification = None
        self.assignment = None

    def grow(self, k: int) -> None:
        """Add k rows of every kind each list endpoint returns."""
        for _ in range(k):
            self.n += 1
            i = self.n
            ContestFactory()
            RubricFactory(round=self.round, track=TrackFactory(contest=self.contest))
            RoundFactory(contest=self.contest, sequence=100 + i)
            ScenarioFactory(track=self.track, contest=self.contest)
            SecurityEvent.objects.create(
                contest=self.contest, source="api", method="POST", path="/p/", code="c", status=409, created_at=self.now
            )
            TeamMembershipFactory(team=self.team, user=UserFactory(organization=OrganizationFactory()))
            Invitation.objects.create(
                team=self.team,
                email=f"invitee{i}@example.com",
                token=f"token-{i}",
                expires_at=self.now + dt.timedelta(days=3),
                invited_by=self.captain,
            )
            version = SolutionVersion.objects.create(
                solution=self.solution,
                number=i,
                round=self.round,
                title=f"版本{i}",
                sha256=hashlib.sha256(str(i).encode()).hexdigest(),
                created_by=self.captain,
                created_at=self.now,
            )
            SolutionFile.objects.create(
                version=version,
                kind="proposal",
                file=f"solutions/{self.solution.pk}/{i}.pdf",
                original_name="方案书.pdf",
                content_type="application/pdf",
                size=100,
                sha256=version.sha256,
            )
            self.version = self.version or version
            SubmissionReceipt.objects.create(
                solution=self.solution,
                version=version,
                round=self.round,
                code=f"R-{i}",
                sha256=version.sha256,
                submitted_by=self.captain,
                submitted_at=self.now,
            )
            EligibilityDecision.objects.create(
                solution=self.solution, round=self.round, outcome="qualified", reviewer=self.organizer
            )
            # A solution of another team in the round: assigned, reviewed, conflicted, ranked.
            other = SolutionFactory(contest=self.contest, scenario=self.scenario)
            RoundEntryFactory(solution=other, round=self.round, status=EntryStatus.ACTIVE)
            # Its title names its team: a row of the blind-round title flags.
            other.title = f"{other.team.name}的方案"
            other.save(update_fields=["title"])
            assignment = JudgeAssignmentFactory(round=self.round, solution=other, judge=self.judge)
            self.assignment = self.assignment or assignment
            review = ReviewFactory(assignment=assignment, status="submitted")
            ConflictFlag.objects.create(
                round=self.round,
                assignment=assignment,
                review=review,
                judge=self.judge,
                solution=other,
                reasons=["organization_group"],
            )
            TeamFactChange.objects.create(
                team=self.team, requested_by=self.captain, co_units=[self.org.pk], reason=f"变更{i}"
            )
            pool_judge = UserFactory(organization=other.team.lead_unit)
            ContestRoleFactory(user=pool_judge, contest=self.contest, role=Role.JUDGE)
            JudgePoolMemberFactory(round=self.round, judge=pool_judge)
            ConflictOfInterest.objects.create(
                contest=self.contest, judge=pool_judge, organization=other.team.lead_unit, source="manual"
            )
            RoundResult.objects.create(
                round=self.round, solution=other, group_key="contest", score=Decimal("80"), rank=i
            )
            award = Award.objects.create(
                contest=self.contest,
                solution=other,
                level="first",
                final_rank=i,
                verification_code=f"V{i:08d}",
                team_name=other.team.name,
                solution_title=other.title,
                scenario_title=other.scenario.title,
                confirmed_at=self.now,
                confirmed_by=self.organizer,
            )
            self.award = self.award or award
            Publication.objects.create(
                round=self.round,
                number=i + 1,
                published_at=self.now,
                publicity_starts_at=self.now,
                publicity_ends_at=self.now + dt.timedelta(days=5),
                table=[],
                digest="0" * 64,
                supplementary=True,
                published_by=self.organizer,
            )
            Objection.objects.create(
                publication=self.publication,
                solution=other,
                raised_by=self.captain,
                objector_kind="team",
                real_name="李四",
                organization_name="某单位",
                reason="评分有误",
            )
            # The captain's own team: another solution with a published result (feedback).
            own = SolutionFactory(contest=self.contest, scenario=ScenarioFactory(track=self.track), team=self.team)
            RoundEntryFactory(solution=own, round=self.round, status=EntryStatus.ACTIVE)
            RoundResult.objects.create(round=self.round, solution=own, group_key="contest", score=Decimal("70"))
            notification = Notification.objects.create(
                recipient=self.captain,
                kind="round_results",
                channel="in_app",
                subject=f"通知{i}",
                body="正文",
                dedup_key=f"perf:{i}",
                sent_at=self.now,
            )
            self.notification = self.notification or notification
        # Publishing stores what each team is shown; the world's publication shows today's rows.
        from judging.results.services.publication import build_feedback

        Publication.objects.filter(round=self.round).update(feedback=build_feedback(self.round))

    def url(self, template: str) -> str:
        ids = {
            "{contest_id}": self.contest.pk,
            "{round_id}": self.round.pk,
            "{assignment_id}": self.assignment.pk,
            "{rubric_id}": self.rubric.pk,
            "{publication_id}": self.publication.pk,
            "{code}": self.award.verification_code,
            "{award_id}": self.award.pk,
        }
        by_prefix = {
            "/api/v1/contests/{id}": self.contest.pk,
            "/api/v1/rounds/{id}": self.round.pk,
            "/api/v1/tracks/{id}": self.track.pk,
            "/api/v1/scenarios/{id}": self.scenario.pk,
            "/api/v1/solutions/{id}": self.solution.pk,
            "/api/v1/teams/{id}": self.team.pk,
            "/api/v1/notifications/{id}": self.notification.pk,
        }
        for prefix, pk in by_prefix.items():
            if template.startswith(prefix):
                template = template.replace("{id}", str(pk), 1)
        for key, value in ids.items():
            template = template.replace(key, str(value))
        assert "{" not in template, template
        return template

    def client(self, role: str) -> APIClient:
        client = APIClient()
        user = {"organizer": self.organizer, "judge": self.judge, "captain": self.captain}.get(role)
        if user is not None:  # a fresh instance: no role cache warmed by an earlier request
            client.force_authenticate(type(user).objects.get(pk=user.pk))
        return client


def _measure(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    body = response.json()
    rows = body["results"] if isinstance(body, dict) and "results" in body else body
    # Savepoints exist only because the test runs inside a transaction; in production the same
    # atomic() blocks are BEGIN/COMMIT, which Django does not log either.
    statements = [q for q in queries.captured_queries if not q["sql"].startswith(SAVEPOINT_SQL)]
    return len(statements), (len(rows) if isinstance(rows, list) else None), statements


# The pinned counts are PostgreSQL's (the production database); SQLite takes other paths in a
# few selectors (no SET LOCAL, no FOR UPDATE OF), so its counts differ by one here and there.
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="query counts are pinned for PostgreSQL")


@postgres_only
def test_list_endpoints_run_a_constant_pinned_number_of_queries():
    world = World()
    world.grow(1)
    small = {}
    for template, (role, _count) in LISTS.items():
        small[template] = _measure(world.client(role), world.url(template) + "?page_size=1")
    world.grow(49)
    problems, measured = [], {}
    for template, (role, pinned) in LISTS.items():
        count, rows, queries = _measure(world.client(role), world.url(template) + "?page_size=50")
        count_1, rows_1, _ = small[template]
        measured[template] = (count_1, rows_1, count, rows)
        if rows is not None and rows < 2:
            problems.append(f"{template}: only {rows} row(s) at page size 50 — the comparison means nothing")
        if count != count_1:
            sql = "\n    ".join(q["sql"][:160] for q in queries)
            problems.append(f"{template}: {count_1} queries for {rows_1} row(s), {count} for {rows}:\n    {sql}")
        if count != pinned:
            problems.append(f"{template}: {count} queries, pinned {pinned}")
        if count > LIST_MAX:
            problems.append(f"{template}: {count} queries > {LIST_MAX}")
    print("PINNED", len(LISTS), measured)
    assert not problems, "\n".join(problems)


@postgres_only
def test_detail_endpoints_run_a_small_pinned_number_of_queries():
    world = World()
    world.grow(3)
    problems = []
    for template, pinned in DETAILS.items():
        if pinned is None:
            continue
        role, expected = pinned
        count, _rows, queries = _measure(world.client(role), world.url(template))
        if count != expected or count > DETAIL_MAX:
            sql = "\n    ".join(q["sql"][:160] for q in queries)
            problems.append(f"{template}: {count} queries, pinned {expected} (max {DETAIL_MAX}):\n    {sql}")
    assert not problems, "\n".join(problems)


@postgres_only
@pytest.mark.parametrize("template", sorted(PUBLIC_CACHED))
def test_anonymous_public_scenarios_pinned_on_a_miss_and_free_on_a_hit(template):
    world = World()
    world.grow(25)  # 51 public scenarios: a full page of 50
    url = world.url(template) + ("?page_size=50" if template.endswith("scenarios/") else "")
    client = world.client("anonymous")

    cache.clear()  # the uncached path, measured as it is
    miss, rows, queries = _measure(client, url)
    hit, _rows, _ = _measure(client, url)

    sql = "\n    ".join(q["sql"][:160] for q in queries)
    assert miss == PUBLIC_CACHED[template], f"{template}: {miss} queries on a miss:\n    {sql}"
    assert rows in (None, 50)
    assert hit == 0
