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
def final(builder):
    """Semifinal (seq 1): 7 entries, top 5 advance. Final (seq 2): those 5 ranked globally."""
    from judging.results.services.advancement import advancement_apply
    from judging.results.services.aggregation import results_aggregate
    from judging.results.services.publication import publication_publish

    b = builder(aggregation_method="mean", sequence=1, advancement_kind="top_n", advancement_value=5)
    b.org_user = UserFactory()
    ContestRoleFactory(user=b.org_user, contest=b.contest, role=Role.ORGANIZER)
    second_scenario = ScenarioFactory(track=b.track, contest=b.contest)
    b.semi = [b.scored([90 - i] * 3, scenario=second_scenario if i == 1 else None) for i in range(7)]
    results_aggregate(round_=b.round)
    advancement_apply(round_=b.round, actor=b.org_user)
    b.final_round = RoundFactory(
        contest=b.contest, sequence=2, aggregation_method="mean", advancement_scope="contest", advancement_kind="none"
    )
    CriterionFactory(rubric=RubricFactory(round=b.final_round), key="overall", name="总分", max_score=Decimal("100"))
    for i, solution in enumerate(b.semi[:5]):
        for j in range(3):
            b.review(solution, f"f{j}", 80 - i, round_=b.final_round)
    results_aggregate(round_=b.final_round)
    b.pub = publication_publish(round_=b.final_round, actor=b.org_user)
    b.after = b.pub.publicity_ends_at + dt.timedelta(hours=1)
    return b


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
