"""Builders for hand-made results data: rounds, rubrics, judges and submitted reviews."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from contest.enums import Role
from judging.enums import ReviewStatus
from judging.models import JudgePoolMember, Review, Score
from tests.factories.contest import (
    ContestFactory,
    ContestRoleFactory,
    RoundFactory,
    ScenarioFactory,
    TrackFactory,
    UserFactory,
)
from tests.factories.judging import CriterionFactory, JudgeAssignmentFactory, RubricFactory
from tests.factories.submissions import RoundEntryFactory, SolutionFactory


class Builder:
    """One contest with a scored round; helpers add solutions and submitted reviews."""

    def __init__(self, **round_kwargs):
        self.contest = ContestFactory()
        self.track = TrackFactory(contest=self.contest)
        self.scenario = ScenarioFactory(track=self.track, contest=self.contest)
        round_kwargs.setdefault("aggregation_method", "trimmed_mean")
        self.round = RoundFactory(contest=self.contest, status="judging", **round_kwargs)
        self.rubric = RubricFactory(round=self.round)
        # One criterion out of 100: a judge's total is the score itself.
        self.criteria = [CriterionFactory(rubric=self.rubric, key="overall", name="总分", max_score=Decimal("100"))]
        self.judges = {}
        self.base_time = timezone.now() - dt.timedelta(days=3)

    def use_criteria(self, specs):
        """Replace the rubric's criteria: specs = [(key, name, weight, max), ...]."""
        for c in self.criteria:
            c.delete()
        self.criteria = [
            CriterionFactory(
                rubric=self.rubric, key=k, name=n, weight=Decimal(str(w)), max_score=Decimal(str(m)), order=i
            )
            for i, (k, n, w, m) in enumerate(specs)
        ]

    def judge(self, name, group=""):
        if name not in self.judges:
            user = UserFactory(username=f"judge-{name}-{self.round.pk}", full_name=f"评委{name}")
            ContestRoleFactory(user=user, contest=self.contest, role=Role.JUDGE)
            JudgePoolMember.objects.create(round=self.round, judge=user, group=group)
            self.judges[name] = user
        return self.judges[name]

    def solution(self, *, scenario=None, track=None, submitted_offset=0, round_=None, **kwargs):
        if track is not None and scenario is None:
            scenario = ScenarioFactory(track=track, contest=self.contest)
        solution = SolutionFactory(
            scenario=scenario or self.scenario,
            contest=self.contest,
            submitted_at=self.base_time + dt.timedelta(minutes=submitted_offset),
            **kwargs,
        )
        RoundEntryFactory(solution=solution, round=round_ or self.round)
        return solution

    def review(self, solution, judge_name, scores, *, status=ReviewStatus.SUBMITTED, round_=None, comment=""):
        """scores: one value per criterion (or a single number for the one-criterion rubric)."""
        round_ = round_ or self.round
        if not isinstance(scores, list | tuple):
            scores = [scores]
        judge = self.judge(judge_name)
        assignment = JudgeAssignmentFactory(round=round_, solution=solution, judge=judge)
        review = Review.objects.create(
            assignment=assignment,
            round=round_,
            solution=solution,
            judge=judge,
            status=status,
            comment=comment,
            submitted_at=timezone.now(),
        )
        criteria = self.criteria if round_ == self.round else list(round_.rubrics.first().criteria.all())
        Score.objects.bulk_create(
            [Score(review=review, criterion=c, value=Decimal(str(v))) for c, v in zip(criteria, scores, strict=True)]
        )
        return review

    def scored(self, totals, **kwargs):
        """A solution with one submitted review per total (judges j0, j1, ...)."""
        solution = self.solution(**kwargs)
        for i, total in enumerate(totals):
            self.review(solution, f"j{i}", total)
        return solution


@pytest.fixture
def builder():
    return Builder


@pytest.fixture
def organizer():
    return UserFactory(username="organizer-x", full_name="组织者")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Aggregation progress lives in the cache; round ids repeat between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
