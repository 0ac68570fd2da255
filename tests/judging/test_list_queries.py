"""Every judging list answers with the same number of queries for one row and for several."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contest.models import User
from judging.models import ConflictOfInterest
from judging.services.scoring import review_submit
from tests.factories.contest import TrackFactory, UserFactory
from tests.factories.judging import CriterionFactory, JudgeAssignmentFactory, JudgePoolMemberFactory, RubricFactory
from tests.factories.submissions import RoundEntryFactory, SolutionFactory
from tests.judging.helpers import full_scores

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def _more(world, kind):
    if kind == "assignments":
        for _ in range(2):
            solution = SolutionFactory(contest=world.contest, scenario=world.solution.scenario)
            RoundEntryFactory(round=world.round, solution=solution)
            JudgeAssignmentFactory(round=world.round, solution=solution, judge=world.judge)
    elif kind == "reviews":
        review_submit(judge=world.other_judge, assignment_id=world.other_assignment.pk, scores=full_scores(world))
        for _ in range(2):
            solution = SolutionFactory(contest=world.contest, scenario=world.solution.scenario)
            RoundEntryFactory(round=world.round, solution=solution)
            a = JudgeAssignmentFactory(round=world.round, solution=solution, judge=world.judge)
            review_submit(judge=world.judge, assignment_id=a.pk, scores=full_scores(world))
    elif kind == "pool":
        for _ in range(3):
            JudgePoolMemberFactory(round=world.round, judge=UserFactory()).tracks.set(
                [TrackFactory(contest=world.contest)]
            )
    elif kind == "conflicts":
        for _ in range(2):
            ConflictOfInterest.objects.create(
                contest=world.contest, judge=UserFactory(), team=world.team, source="manual", reason="x"
            )
    elif kind == "rubrics":
        for _ in range(2):
            rubric = RubricFactory(round=world.round, track=TrackFactory(contest=world.contest))
            CriterionFactory(rubric=rubric, max_score=Decimal("10"))


def _first(world, kind):
    if kind == "reviews":
        review_submit(judge=world.judge, assignment_id=world.assignment.pk, scores=full_scores(world))
    if kind == "conflicts":
        ConflictOfInterest.objects.create(
            contest=world.contest, judge=world.judge, solution=world.solution, source="declared", reason="x"
        )


@pytest.mark.parametrize(
    ("kind", "url"),
    [
        ("assignments", "assignments/"),
        ("reviews", "reviews/"),
        ("pool", "pool/"),
        ("conflicts", "conflicts/"),
        ("rubrics", "rubrics/"),
        ("assignments", "progress/"),
    ],
)
def test_organizer_lists_constant_queries(world, api_client, kind, url):
    api_client.force_authenticate(User.objects.get(pk=world.organizer.pk))
    path = f"/api/v1/judging/rounds/{world.round.pk}/{url}"
    _first(world, kind)
    with CaptureQueriesContext(connection) as few:
        assert api_client.get(path).status_code == 200
    _more(world, kind)
    # A fresh user object: role lookups are cached per user instance within a request.
    api_client.force_authenticate(User.objects.get(pk=world.organizer.pk))
    with CaptureQueriesContext(connection) as many:
        response = api_client.get(path)
    assert response.status_code == 200
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]
