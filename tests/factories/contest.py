import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from contest.enums import OrganizationKind, Role, RoundKind, ScenarioStatus
from contest.models import Contest, ContestRole, Organization, Round, Scenario, Track, User


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"测试单位{n}有限公司")
    short_name = factory.Sequence(lambda n: f"单位{n}")
    kind = OrganizationKind.ENTERPRISE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    # Factory users have proven their address; tests of the unproven state pass verified_email="".
    verified_email = factory.LazyAttribute(lambda u: u.email)
    full_name = factory.Sequence(lambda n: f"张{n}")
    password = factory.django.Password("pass-1234-word")


class ContestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contest

    name = factory.Sequence(lambda n: f"测试大赛{n}")
    slug = factory.Sequence(lambda n: f"contest-{n}")
    status = "published"


class ContestRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContestRole

    user = factory.SubFactory(UserFactory)
    contest = factory.SubFactory(ContestFactory)
    role = Role.ORGANIZER


class TrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Track

    contest = factory.SubFactory(ContestFactory)
    name = factory.Sequence(lambda n: f"赛道{n}")
    host = factory.SubFactory(OrganizationFactory, kind=OrganizationKind.SOE)


class RoundFactory(factory.django.DjangoModelFactory):
    """An open round: submissions open yesterday, deadline in a week, judging after."""

    class Meta:
        model = Round

    contest = factory.SubFactory(ContestFactory)
    sequence = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"第{n}轮")
    kind = RoundKind.SCORED
    submission_opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    submission_deadline = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    judging_opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    judging_closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))


class ScenarioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scenario

    track = factory.SubFactory(TrackFactory)
    contest = factory.LazyAttribute(lambda s: s.track.contest)
    publisher = factory.SubFactory(OrganizationFactory, kind=OrganizationKind.SOE)
    title = factory.Sequence(lambda n: f"场景{n}：智能化改造")
    summary = "摘要"
    reward = Decimal("1000000.00")
    status = ScenarioStatus.PUBLISHED
