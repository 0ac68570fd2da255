import factory
from django.utils import timezone

from submissions.enums import MemberRole, SolutionStatus
from submissions.models import RoundEntry, Solution, Team, TeamMembership

from .contest import ContestFactory, OrganizationFactory, ScenarioFactory, UserFactory


class TeamFactory(factory.django.DjangoModelFactory):
    """A team with its captain's membership."""

    class Meta:
        model = Team
        skip_postgeneration_save = True

    contest = factory.SubFactory(ContestFactory)
    name = factory.Sequence(lambda n: f"揭榜队{n}")
    captain = factory.SubFactory(UserFactory)
    lead_unit = factory.SubFactory(OrganizationFactory)

    @factory.post_generation
    def captain_membership(self, create, extracted, **kwargs):
        if create:
            TeamMembership.objects.create(
                team=self,
                contest=self.contest,
                user=self.captain,
                role=MemberRole.CAPTAIN,
                organization=self.lead_unit,
            )


class TeamMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMembership

    team = factory.SubFactory(TeamFactory)
    contest = factory.LazyAttribute(lambda m: m.team.contest)
    user = factory.SubFactory(UserFactory)
    role = MemberRole.MEMBER


class SolutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Solution

    scenario = factory.SubFactory(ScenarioFactory)
    contest = factory.LazyAttribute(lambda s: s.scenario.contest)
    team = factory.SubFactory(TeamFactory, contest=factory.SelfAttribute("..contest"))
    title = factory.Sequence(lambda n: f"方案{n}")
    status = SolutionStatus.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)


class RoundEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoundEntry

    solution = factory.SubFactory(SolutionFactory)
    round = factory.SubFactory(
        "tests.factories.contest.RoundFactory", contest=factory.SelfAttribute("..solution.contest")
    )
