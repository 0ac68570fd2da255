from decimal import Decimal

import factory

from judging.models import Criterion, JudgeAssignment, JudgePoolMember, Review, Rubric, Score

from .contest import RoundFactory, UserFactory
from .submissions import SolutionFactory


class RubricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rubric

    round = factory.SubFactory(RoundFactory)
    name = "评分表"
    score_step = Decimal("0.5")


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    rubric = factory.SubFactory(RubricFactory)
    key = factory.Sequence(lambda n: f"c{n}")
    name = factory.Sequence(lambda n: f"指标{n}")
    weight = Decimal("1")
    max_score = Decimal("25")
    order = factory.Sequence(lambda n: n)


class JudgePoolMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JudgePoolMember

    round = factory.SubFactory(RoundFactory)
    judge = factory.SubFactory(UserFactory)
    # As pool_member_add records it: the judge's organization when joining.
    organization = factory.LazyAttribute(lambda m: m.judge.organization)


class JudgeAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JudgeAssignment

    round = factory.SubFactory(RoundFactory)
    solution = factory.SubFactory(SolutionFactory, contest=factory.SelfAttribute("..round.contest"))
    judge = factory.SubFactory(UserFactory)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    assignment = factory.SubFactory(JudgeAssignmentFactory)
    round = factory.LazyAttribute(lambda r: r.assignment.round)
    solution = factory.LazyAttribute(lambda r: r.assignment.solution)
    judge = factory.LazyAttribute(lambda r: r.assignment.judge)


class ScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Score

    review = factory.SubFactory(ReviewFactory)
    criterion = factory.SubFactory(CriterionFactory)
    value = Decimal("20")
