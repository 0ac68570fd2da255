"""A team cannot void judges' scores: the attacks of the old rule, replayed through the API and
the pages. Conflicts are computed from recorded facts (units and memberships frozen at the first
round's deadline, the judge's organization on the pool entry); a conflict found after scoring
is flagged to the organizers, and only an organizer voids a submitted review, with a reason."""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from contest.enums import ContestStatus, RoundStatus
from judging.enums import ReviewStatus
from judging.models import ConflictFlag, JudgePoolMember, Review
from judging.results.models import Award, RoundResult
from judging.results.services.publication import publication_publish
from judging.selectors import assignment_list_for_judge
from judging.services.assignment import assignment_auto_run
from judging.services.scoring import review_submit
from tests.factories.contest import OrganizationFactory, RoundFactory, UserFactory
from tests.judging.helpers import full_scores

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _judge_org(world):
    """The judge's organization, recorded on the pool entry as pool_member_add does."""
    org = OrganizationFactory(name="评委所在集团子公司", parent=OrganizationFactory(name="评委所在集团"))
    world.judge.organization = org
    world.judge.save()
    member = world.pool[world.judge.pk]
    member.organization = org
    member.save()
    return org


def _scored(world):
    review_submit(judge=world.judge, assignment_id=world.assignment.pk, scores=full_scores(world))
    return Review.objects.get(assignment=world.assignment)


def _close_and_award(world):
    """Published, awarded, closed: the contest is over."""
    RoundResult.objects.create(
        round=world.round, solution=world.solution, group_key="contest", score=Decimal("90"), rank=1
    )
    world.round.status = RoundStatus.AGGREGATED
    world.round.save()
    publication_publish(round_=world.round, actor=world.organizer)
    Award.objects.create(
        contest=world.contest,
        solution=world.solution,
        level="first",
        final_rank=1,
        verification_code="FREEZE-1",
        team_name=world.solution.team.name,
        solution_title=world.solution.title,
        scenario_title=world.solution.scenario.title,
        confirmed_at=timezone.now(),
        confirmed_by=world.organizer,
    )
    world.round.status = RoundStatus.CLOSED
    world.round.save()
    world.contest.status = ContestStatus.CLOSED
    world.contest.save()


def _profile(client, user, organization_id):
    return client.post(
        "/accounts/profile/",
        {
            "full_name": user.full_name or "某人",
            "email": user.email,
            "phone": "",
            "organization": organization_id,
            "preferred_language": "zh-hans",
        },
    )


def test_captain_cannot_void_a_score_by_adding_the_judges_organization(world):
    """The attack: in a closed contest, published and awarded, the captain adds the judge's
    organization as a co-unit. It used to void the judge's submitted review."""
    org = _judge_org(world)
    review = _scored(world)
    _close_and_award(world)
    response = _client(world.captain).patch(
        f"/api/v1/teams/{world.team.pk}/", {"co_units": [org.pk]}, content_type="application/json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "team_facts_frozen")
    assert list(world.team.co_units.all()) == []
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    assert not ConflictFlag.objects.exists()


def test_member_setting_their_organization_voids_nothing(world):
    """The other attack: a member sets the judge's organization on their profile, then the next
    auto-assignment run would have swept the judge's review away."""
    org = _judge_org(world)
    review = _scored(world)
    response = _profile(_client(world.member), world.member, org.pk)
    assert response.status_code == 302
    world.member.refresh_from_db()
    assert world.member.organization_id == org.pk  # the profile changed ...
    assert world.team.memberships.get(user=world.member).organization_id == world.member_org.pk  # ... not the fact
    report = assignment_auto_run(actor=world.organizer, round_=world.round, seed=1)
    assert report.ended_for_conflict == []
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    assert world.assignment.pk in [a.pk for a in assignment_list_for_judge(judge=world.judge)]
    assert not ConflictFlag.objects.exists()


def test_judge_editing_their_profile_changes_nothing_about_conflicts(world):
    """Neither hiding a solution nor escaping a conflict: the pool entry's record counts."""
    _judge_org(world)
    client = _client(world.judge)
    _profile(client, world.judge, world.lead_unit.pk)  # into the team's group
    assert world.assignment.pk in [a.pk for a in assignment_list_for_judge(judge=world.judge)]
    assert JudgePoolMember.objects.get(pk=world.pool[world.judge.pk].pk).organization_id != world.lead_unit.pk
    # The conflicted judge (recorded in the team's group) leaves the group on the profile: still conflicted.
    response = _profile(_client(world.conflicted_judge), world.conflicted_judge, OrganizationFactory().pk)
    assert response.status_code == 302
    listed = _client(world.organizer).get(f"/api/v1/judging/rounds/{world.round.pk}/conflicts/computed/").json()
    assert [(c["judge"], c["reasons"]) for c in listed] == [(world.conflicted_judge.pk, ["organization_group"])]


def test_pool_entry_records_the_organization_and_only_organizers_change_it(world):
    judge = UserFactory(organization=world.lead_unit)
    client = _client(world.organizer)
    url = f"/api/v1/judging/rounds/{world.round.pk}/pool/"
    response = client.post(url, {"judge": judge.pk}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["organization"] == world.lead_unit.pk  # recorded from the profile at join
    member_id = response.json()["id"]
    judge.organization = None
    judge.save()
    assert JudgePoolMember.objects.get(pk=member_id).organization_id == world.lead_unit.pk
    other = OrganizationFactory()
    denied = _client(judge).patch(
        f"/api/v1/judging/pool/{member_id}/", {"organization": other.pk}, content_type="application/json"
    )
    assert denied.status_code == 403
    assert JudgePoolMember.objects.get(pk=member_id).organization_id == world.lead_unit.pk
    response = client.patch(
        f"/api/v1/judging/pool/{member_id}/", {"organization": other.pk}, content_type="application/json"
    )
    assert (response.status_code, response.json()["organization"]) == (200, other.pk)


def test_an_organizer_changing_a_judges_organization_after_scoring_flags_it(world):
    review = _scored(world)
    response = _client(world.organizer).patch(
        f"/api/v1/judging/pool/{world.pool[world.judge.pk].pk}/",
        {"organization": world.lead_unit.pk},
        content_type="application/json",
    )
    assert response.status_code == 200
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    assert ConflictFlag.objects.get(review=review).reasons == ["organization_group"]


def test_pool_facts_are_refused_once_judging_is_over(world):
    _close_and_award(world)
    member = world.pool[world.judge.pk]
    response = _client(world.organizer).patch(
        f"/api/v1/judging/pool/{member.pk}/", {"group": "企业专家"}, content_type="application/json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "round_finished")
    member.refresh_from_db()
    assert member.group == ""


def test_flag_is_resolved_by_an_organizer_with_a_reason(world):
    """The flag lists the reason; voiding needs a reason and goes through the ordinary void;
    a closed round refuses the void and the flag stays open."""
    from submissions.fact_changes import fact_change_decide, fact_change_request

    org = _judge_org(world)
    review = _scored(world)
    change = fact_change_request(actor=world.captain, team=world.team, co_units=[org], reason="新增联合单位")
    fact_change_decide(actor=world.organizer, change=change, approve=True, reason="同意")
    client = _client(world.organizer)
    flags = client.get(f"/api/v1/judging/rounds/{world.round.pk}/conflict-flags/").json()
    assert [(f["review"], f["status"], f["reasons"]) for f in flags] == [(review.pk, "open", ["organization_group"])]
    url = f"/api/v1/judging/conflict-flags/{flags[0]['id']}/resolve/"
    blank = client.post(url, {"action": "void", "reason": ""}, content_type="application/json")
    assert blank.status_code == 400
    denied = _client(world.captain).post(url, {"action": "void", "reason": "x"}, content_type="application/json")
    assert denied.status_code == 404
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED

    world.round.status = RoundStatus.CLOSED
    world.round.save()
    closed = client.post(url, {"action": "void", "reason": "联合单位属评委集团"}, content_type="application/json")
    assert (closed.status_code, closed.json()["code"]) == (409, "round_status_invalid")
    assert ConflictFlag.objects.get(pk=flags[0]["id"]).status == "open"

    world.round.status = RoundStatus.JUDGING
    world.round.save()
    done = client.post(url, {"action": "void", "reason": "联合单位属评委集团"}, content_type="application/json")
    assert (done.status_code, done.json()["status"]) == (200, "voided")
    review.refresh_from_db()
    assert (review.status, review.void_reason) == (ReviewStatus.VOIDED, "联合单位属评委集团")
    again = client.post(url, {"action": "keep", "reason": "再次"}, content_type="application/json")
    assert (again.status_code, again.json()["code"]) == (409, "conflict_flag_resolved")


def test_a_finished_round_is_not_touched_by_a_later_conflict(world):
    """A draft left in a closed round is not voided and its assignment not ended by a sweep."""
    from judging.services.conflicts import conflicts_sweep

    world.round.status = RoundStatus.CLOSED
    world.round.save()
    world.team.co_units.add(world.conflicted_judge.organization)  # a data fix straight to the table
    org = _judge_org(world)
    world.team.co_units.add(org)
    assert conflicts_sweep(actor=world.organizer, contest_id=world.contest.pk) == []
    world.assignment.refresh_from_db()
    assert world.assignment.active is True


def test_the_round_dashboard_lists_flags_and_voids_with_a_reason(world):
    from django.urls import reverse

    from judging.services.conflicts import conflict_declare

    review = _scored(world)
    conflict_declare(judge=world.judge, assignment=world.assignment, reason="曾指导该团队")
    flag = ConflictFlag.objects.get(review=review)
    client = _client(world.organizer)
    url = reverse("dashboard_round", kwargs={"pk": world.round.pk})
    page = client.get(url).content.decode()
    assert f'data-conflict-flag="{flag.pk}"' in page and "曾指导该团队" in page
    void = reverse("dashboard_flag_void", kwargs={"pk": world.round.pk, "flag_pk": flag.pk})
    client.post(void, {"reason": " "})
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED  # no reason, no void
    client.post(void, {"reason": "核实属实"})
    review.refresh_from_db()
    assert (review.status, review.void_reason) == (ReviewStatus.VOIDED, "核实属实")
    assert ConflictFlag.objects.get(pk=flag.pk).status == "voided"
    keep = reverse("dashboard_flag_keep", kwargs={"pk": world.round.pk, "flag_pk": flag.pk})
    denied = _client(world.captain).post(keep, {"reason": "x"})
    assert denied.status_code in (403, 404)


def test_a_later_pool_records_the_organization_recorded_before_not_the_edited_profile(world):
    _judge_org(world)
    recorded = world.pool[world.judge.pk].organization_id
    world.judge.organization = OrganizationFactory(name="评委新填的单位")
    world.judge.save()
    later = RoundFactory(contest=world.contest, sequence=world.round.sequence + 1, name="决赛")
    response = _client(world.organizer).post(
        f"/api/v1/judging/rounds/{later.pk}/pool/", {"judge": world.judge.pk}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["organization"] == recorded


def test_a_judge_with_active_assignments_stays_in_the_pool(world):
    member = world.pool[world.judge.pk]
    response = _client(world.organizer).delete(f"/api/v1/judging/pool/{member.pk}/")
    assert (response.status_code, response.json()["code"]) == (409, "judge_has_assignments")
    assert JudgePoolMember.objects.filter(pk=member.pk).exists()
