import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from contest.enums import RoundStatus, ScenarioStatus
from contest.models import AuditEvent, Scenario
from judging.models import JudgeAssignment, JudgePoolMember
from judging.results.enums import ObjectionStatus, TieRule
from judging.results.models import Award, Objection, Publication, RoundResult, TieDecision
from judging.results.services.aggregation import results_aggregate
from judging.services.scoring import review_submit
from submissions.enums import EntryStatus, SolutionStatus
from submissions.models import RoundEntry, Solution
from tests.factories.contest import ContestRoleFactory, ScenarioFactory, UserFactory
from tests.factories.judging import JudgeAssignmentFactory
from tests.factories.submissions import SolutionFactory
from tests.web.staff.helpers import speak_english

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def _urls(staff) -> list[str]:
    slug = staff.contest.slug
    return [
        reverse("organizer_home"),
        reverse("dashboard_contest", args=[slug]),
        reverse("dashboard_qualification", args=[slug]),
        reverse("dashboard_objections", args=[slug]),
        reverse("dashboard_awards", args=[slug]),
        reverse("dashboard_round", args=[staff.round.pk]),
        reverse("dashboard_results", args=[staff.round.pk]),
    ]


@pytest.mark.parametrize(
    "who, status",
    [("organizer", 200), ("judge", 403), ("publisher", 403), ("captain", 403), ("outsider", 403)],
)
def test_dashboard_pages_by_role(client, staff, who, status):
    user = UserFactory() if who == "outsider" else getattr(staff, who)
    client.force_login(user)
    for url in _urls(staff):
        assert client.get(url).status_code == status, url


def test_dashboard_of_another_contest_is_forbidden(client, staff):
    other = ContestRoleFactory(role="organizer").user
    client.force_login(other)
    assert client.get(reverse("dashboard_contest", args=[staff.contest.slug])).status_code == 403
    assert client.get(reverse("dashboard_round", args=[staff.round.pk])).status_code == 403


@pytest.mark.parametrize("who", ["outsider", "other_organizer"])
def test_round_pages_of_an_invisible_contest_are_404(client, staff, who):
    """A round whose contest the user cannot see does not exist for them (404, as everywhere
    else); one they see but do not run is a 403 (above)."""
    staff.contest.status = "draft"
    staff.contest.save(update_fields=["status"])
    user = UserFactory() if who == "outsider" else ContestRoleFactory(role="organizer").user
    client.force_login(user)
    pk = staff.round.pk
    for name in ("dashboard_round", "dashboard_results"):
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
    for name in ("dashboard_results_aggregate", "dashboard_round_close_judging", "dashboard_auto_assign"):
        assert client.post(reverse(name, args=[pk])).status_code == 404, name
    staff.round.refresh_from_db()
    assert staff.round.status == RoundStatus.JUDGING


def test_dashboard_requires_login(client, staff):
    for url in _urls(staff):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_non_organizer_posts_change_nothing(client, staff):
    pending = ScenarioFactory(track=staff.scenario.track, status=ScenarioStatus.PENDING_REVIEW)
    client.force_login(staff.judge)
    response = client.post(reverse("dashboard_scenario_approve", args=[staff.contest.slug, pending.pk]))
    assert response.status_code == 403
    assert Scenario.objects.get(pk=pending.pk).status == ScenarioStatus.PENDING_REVIEW


@pytest.mark.parametrize("who", ["judge", "publisher", "captain", "outsider", "other_organizer"])
@pytest.mark.parametrize("op", ["tie_decide", "confirm_final"])
def test_non_organizer_results_posts_are_forbidden_and_change_nothing(client, staff, who, op):
    x, y = _tied_pair(staff)
    publication = _publish_ended(staff)
    if who == "outsider":
        user = UserFactory()
    elif who == "other_organizer":
        user = ContestRoleFactory(role="organizer").user
    else:
        user = getattr(staff, who)
    client.force_login(user)
    data = {}
    url = reverse("dashboard_results_confirm_final", args=[staff.round.pk])
    if op == "tie_decide":
        data.update(_tie_post(x, {x: 2, y: 1}, "委员会表决"))
        url = _tie_url(staff, x)
    response = client.post(url, data)
    assert response.status_code == 403
    assert not TieDecision.objects.exists()
    assert Publication.objects.get(pk=publication.pk).final_confirmed_at is None


# --- scenario approvals and rounds -----------------------------------------------------------


def test_approve_a_pending_scenario(client, staff):
    pending = ScenarioFactory(track=staff.scenario.track, status=ScenarioStatus.PENDING_REVIEW, title="待审场景")
    client.force_login(staff.organizer)
    url = reverse("dashboard_contest", args=[staff.contest.slug])
    assert f'data-pending-scenario="{pending.pk}"' in client.get(url).content.decode()
    response = client.post(reverse("dashboard_scenario_approve", args=[staff.contest.slug, pending.pk]))
    assert response.status_code == 302
    assert Scenario.objects.get(pk=pending.pk).status == ScenarioStatus.PUBLISHED


def test_reject_needs_a_reason_shown_next_to_the_field(client, staff):
    pending = ScenarioFactory(track=staff.scenario.track, status=ScenarioStatus.PENDING_REVIEW)
    client.force_login(staff.organizer)
    speak_english(client)
    reject = reverse("dashboard_scenario_reject", args=[staff.contest.slug, pending.pk])
    response = client.post(reject, {f"reject-{pending.pk}-reason": " "})
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_reject-{pending.pk}-reason_error"' in body and "This field is required." in body
    assert Scenario.objects.get(pk=pending.pk).status == ScenarioStatus.PENDING_REVIEW
    client.post(reject, {f"reject-{pending.pk}-reason": "奖金额度需核实"})
    scenario = Scenario.objects.get(pk=pending.pk)
    assert scenario.status == ScenarioStatus.DRAFT and scenario.rejection_reason == "奖金额度需核实"


def test_close_and_reopen_judging(client, staff):
    client.force_login(staff.organizer)
    client.post(reverse("dashboard_round_close_judging", args=[staff.round.pk]))
    staff.round.refresh_from_db()
    assert staff.round.judging_closes_at <= timezone.now()
    closes = (timezone.localtime() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    open_url = reverse("dashboard_round_open_judging", args=[staff.round.pk])
    response = client.post(open_url, {f"open-{staff.round.pk}-closes_at": closes})
    assert response.status_code == 302
    staff.round.refresh_from_db()
    assert staff.round.status == RoundStatus.JUDGING and staff.round.judging_closes_at > timezone.now()


def test_open_judging_in_the_past_is_a_form_error(client, staff):
    client.force_login(staff.organizer)
    client.post(reverse("dashboard_round_close_judging", args=[staff.round.pk]))
    past = (timezone.localtime() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    open_url = reverse("dashboard_round_open_judging", args=[staff.round.pk])
    response = client.post(open_url, {f"open-{staff.round.pk}-closes_at": past})
    assert response.status_code == 200
    assert response.context["rounds"][1]["open_form"].errors


# --- round: pool, assignment, progress, charts ------------------------------------------------


def test_add_judge_to_pool(client, staff):
    newcomer = UserFactory(username="judge_new", full_name="新评委")
    ContestRoleFactory(user=newcomer, contest=staff.contest, role="judge")
    client.force_login(staff.organizer)
    url = reverse("dashboard_pool_add", args=[staff.round.pk])
    response = client.post(url, {"pool_add-judge": newcomer.pk, "pool_add-load_cap": "5"})
    assert response.status_code == 302
    assert JudgePoolMember.objects.get(round=staff.round, judge=newcomer).load_cap == 5


def test_add_judge_form_errors_are_next_to_the_field(client, staff):
    client.force_login(staff.organizer)
    speak_english(client)
    response = client.post(reverse("dashboard_pool_add", args=[staff.round.pk]), {"pool_add-load_cap": "0"})
    body = response.content.decode()
    assert 'id="id_pool_add-judge_error"' in body and 'id="id_pool_add-load_cap_error"' in body


def test_auto_assign_reports_gaps(client, staff):
    # A second solution no judge can take: every pool judge but one is removed.
    second = SolutionFactory(contest=staff.contest, scenario=staff.scenario, title="第二方案")
    RoundEntry.objects.create(round=staff.round, solution=second)
    JudgePoolMember.objects.filter(round=staff.round).exclude(judge=staff.judge).delete()
    client.force_login(staff.organizer)
    url = reverse("dashboard_round", args=[staff.round.pk])
    assert client.post(reverse("dashboard_auto_assign", args=[staff.round.pk])).status_code == 302
    assert JudgeAssignment.objects.filter(round=staff.round, solution=second, judge=staff.judge).exists()
    speak_english(client)
    body = client.get(url).content.decode()
    assert "data-assign-report" in body and "Solutions still short of judges" in body
    assert "第二方案" in body and "not enough judges without a conflict of interest" in body


def _submit(staff, judge, assignment, values):
    review_submit(
        judge=judge,
        assignment_id=assignment.pk,
        scores=[(c.pk, v) for c, v in zip(staff.criteria, values, strict=True)],
    )


def test_progress_and_score_distributions(client, staff):
    _submit(staff, staff.judge, staff.assignment, ("9", "9", "18"))
    client.force_login(staff.organizer)
    body = client.get(reverse("dashboard_round", args=[staff.round.pk])).content.decode()
    assert re.search(r'data-judge-progress="judge_a".*?1 / 1', body, re.S)
    assert re.search(r'data-judge-progress="judge_b".*?0 / 1', body, re.S)
    assert '<svg viewBox="0 0 720' in body and 'data-series="评委甲"' in body
    assert 'data-series="数字金融赛道"' in body
    # 9·2 + 9 + 18 = 45 of 50 → 90.00 shown in the accessible table.
    assert "90.00" in body


# --- qualification ----------------------------------------------------------------------------


def _queued_solution(staff):
    solution = SolutionFactory(contest=staff.contest, scenario=staff.scenario, title="待审方案")
    RoundEntry.objects.create(round=staff.q_round, solution=solution)
    return solution


def test_qualify_a_solution(client, staff):
    solution = _queued_solution(staff)
    client.force_login(staff.organizer)
    url = reverse("dashboard_qualification", args=[staff.contest.slug])
    assert f'data-queue-solution="{solution.pk}"' in client.get(url).content.decode()
    response = client.post(
        reverse("dashboard_qualify", args=[staff.contest.slug, solution.pk]),
        {f"qualify-{solution.pk}-outcome": "qualified"},
    )
    assert response.status_code == 302
    assert Solution.objects.get(pk=solution.pk).status == SolutionStatus.QUALIFIED
    assert RoundEntry.objects.get(round=staff.round, solution=solution).status == EntryStatus.ACTIVE


def test_disqualify_needs_a_reason(client, staff):
    solution = _queued_solution(staff)
    client.force_login(staff.organizer)
    response = client.post(
        reverse("dashboard_qualify", args=[staff.contest.slug, solution.pk]),
        {f"qualify-{solution.pk}-outcome": "disqualified"},
    )
    assert response.status_code == 200
    assert f'id="id_qualify-{solution.pk}-reason_error"' in response.content.decode()
    assert Solution.objects.get(pk=solution.pk).status == SolutionStatus.SUBMITTED


def test_qualification_before_the_deadline_is_refused_with_a_message(client, staff):
    staff.q_round.submission_deadline = timezone.now() + dt.timedelta(days=1)
    staff.q_round.save()
    solution = _queued_solution(staff)
    client.force_login(staff.organizer)
    response = client.post(
        reverse("dashboard_qualify", args=[staff.contest.slug, solution.pk]),
        {f"qualify-{solution.pk}-outcome": "qualified"},
    )
    assert response.status_code == 200 and response.context["queue"][0].decision_form.non_field_errors()
    assert Solution.objects.get(pk=solution.pk).status == SolutionStatus.SUBMITTED


# --- results: aggregation, advancement, publication, exports --------------------------------


def _aggregate(client, staff):
    _submit(staff, staff.judge, staff.assignment, ("8", "7.5", "15"))
    client.force_login(staff.organizer)
    url = reverse("dashboard_results", args=[staff.round.pk])
    with_tasks = client.post(reverse("dashboard_results_aggregate", args=[staff.round.pk]))
    assert with_tasks.status_code == 302
    return url


def test_aggregate_then_results_are_listed_with_status(client, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        url = _aggregate(client, staff)
    result = RoundResult.objects.get(round=staff.round, solution=staff.solution)
    assert result.score == Decimal("77.00")
    body = client.get(url).content.decode()
    assert 'data-state="done"' in body and f'data-result="{staff.solution.pk}"' in body
    assert reverse("results-aggregate-status", kwargs={"round_id": staff.round.pk}) in body
    assert "js/aggregation.js" in body


def test_override_needs_a_reason_then_changes_advancement(client, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _aggregate(client, staff)
    before = RoundResult.objects.get(round=staff.round, solution=staff.solution).advanced
    prefix = f"override-{staff.solution.pk}"
    flip = "0" if before else "1"
    override = reverse("dashboard_results_override", args=[staff.round.pk, staff.solution.pk])
    response = client.post(override, {f"{prefix}-advanced": flip})
    assert response.status_code == 200 and f'id="id_{prefix}-reason_error"' in response.content.decode()
    client.post(override, {f"{prefix}-advanced": flip, f"{prefix}-reason": "评审会决定"})
    result = RoundResult.objects.get(round=staff.round, solution=staff.solution)
    assert result.advanced is (not before) and result.override_reason == "评审会决定"


def test_publish_with_a_publicity_window(client, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        url = _aggregate(client, staff)
    start = timezone.localtime().replace(second=0, microsecond=0)
    end = start + dt.timedelta(days=7)
    fmt = "%Y-%m-%dT%H:%M"
    publish = reverse("dashboard_results_publish", args=[staff.round.pk])
    bad = client.post(
        publish,
        {
            "publish-publicity_starts_at": start.strftime(fmt),
            "publish-publicity_ends_at": start.strftime(fmt),
        },
    )
    assert bad.status_code == 200 and 'id="id_publish-publicity_ends_at_error"' in bad.content.decode()
    assert not Publication.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            publish,
            {
                "publish-publicity_starts_at": start.strftime(fmt),
                "publish-publicity_ends_at": end.strftime(fmt),
            },
        )
    publication = Publication.objects.get(round=staff.round)
    assert publication.publicity_ends_at == end
    assert "data-publication" in client.get(url).content.decode()


# --- results: committee tie decisions --------------------------------------------------------


def _tied_pair(staff):
    """Two solutions equal on every rule of the tie chain (same scores, same submission time),
    below staff.solution; aggregated, so they share rank 2 awaiting the committee."""
    _submit(staff, staff.judge, staff.assignment, ("9", "9", "18"))
    submitted = timezone.now() - dt.timedelta(days=3)
    tied = []
    for title in ("并列方案甲", "并列方案乙"):
        solution = SolutionFactory(
            contest=staff.contest,
            scenario=staff.scenario,
            title=title,
            status=SolutionStatus.QUALIFIED,
            submitted_at=submitted,
        )
        RoundEntry.objects.create(round=staff.round, solution=solution)
        assignment = JudgeAssignmentFactory(round=staff.round, solution=solution, judge=staff.judge)
        _submit(staff, staff.judge, assignment, ("7", "7", "14"))
        tied.append(solution)
    results_aggregate(round_=staff.round)
    assert {RoundResult.objects.get(round=staff.round, solution=s).tie_rule for s in tied} == {TieRule.SHARED}
    return tied


def _tie_post(first, places: dict, reason: str) -> dict:
    """The tie_decide form's fields for the group whose first solution is `first`."""
    prefix = f"tie_decide-{first.pk}"
    data = {f"{prefix}-reason": reason}
    data.update({f"{prefix}-place_{s.pk}": str(place) for s, place in places.items()})
    return data


def _tie_url(staff, first) -> str:
    """Where the tie_decide form of the group whose first solution is `first` posts."""
    return reverse("dashboard_results_tie_decide", args=[staff.round.pk, first.pk])


def _ranks(staff, *solutions):
    return [RoundResult.objects.get(round=staff.round, solution=s).rank for s in solutions]


def test_tie_groups_are_shown_with_their_solutions_and_totals(client, staff):
    x, y = _tied_pair(staff)
    client.force_login(staff.organizer)
    speak_english(client)
    body = client.get(reverse("dashboard_results", args=[staff.round.pk])).content.decode()
    assert f'data-tie-group="{x.pk}"' in body and "Rank 2: 2 solutions" in body
    group = body[body.index(f'data-tie-group="{x.pk}"') :]
    assert f'data-tied="{x.pk}"' in group and f'data-tied="{y.pk}"' in group
    assert f'data-tied="{staff.solution.pk}"' not in group
    assert "并列方案甲" in group and "并列方案乙" in group and "70.00" in group
    assert f'name="tie_decide-{x.pk}-place_{y.pk}"' in group and f'name="tie_decide-{x.pk}-reason"' in group


def test_no_tie_section_without_unresolved_ties(client, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        url = _aggregate(client, staff)
    assert "data-tie-groups" not in client.get(url).content.decode()


def test_tie_decision_is_recorded_reranks_and_is_audited(client, staff):
    x, y = _tied_pair(staff)
    client.force_login(staff.organizer)
    url = reverse("dashboard_results", args=[staff.round.pk])
    assert _ranks(staff, staff.solution, x, y) == [1, 2, 2]
    response = client.post(_tie_url(staff, x), {**_tie_post(x, {x: 2, y: 1}, "评审委员会表决 5:2")})
    assert response.status_code == 302
    assert _ranks(staff, staff.solution, y, x) == [1, 2, 3]
    assert RoundResult.objects.get(round=staff.round, solution=y).tie_rule == TieRule.COMMITTEE
    assert list(TieDecision.objects.order_by("position").values_list("solution_id", "reason")) == [
        (y.pk, "评审委员会表决 5:2"),
        (x.pk, "评审委员会表决 5:2"),
    ]
    event = AuditEvent.objects.get(action="results.tie_decision")
    assert event.actor_id == staff.organizer.pk and event.after["order"] == [y.pk, x.pk]
    assert "data-tie-groups" not in client.get(url).content.decode()


def test_tie_decision_without_a_reason_shows_the_error_and_changes_nothing(client, staff):
    x, y = _tied_pair(staff)
    client.force_login(staff.organizer)
    speak_english(client)
    response = client.post(_tie_url(staff, x), {**_tie_post(x, {x: 2, y: 1}, "  ")})
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_tie_decide-{x.pk}-reason_error"' in body and "This field is required." in body
    assert not TieDecision.objects.exists() and not AuditEvent.objects.filter(action="results.tie_decision")
    assert _ranks(staff, x, y) == [2, 2]


def test_tie_decision_needs_a_different_place_for_each_solution(client, staff):
    x, y = _tied_pair(staff)
    client.force_login(staff.organizer)
    speak_english(client)
    response = client.post(_tie_url(staff, x), {**_tie_post(x, {x: 1, y: 1}, "表决")})
    assert response.status_code == 200 and "Give each solution a different place." in response.content.decode()
    assert not TieDecision.objects.exists()


def test_tie_decision_refused_by_the_service_shows_its_message(client, staff):
    x, y = _tied_pair(staff)
    _publish_ended(staff)
    client.force_login(staff.organizer)
    speak_english(client)
    url = reverse("dashboard_results", args=[staff.round.pk])
    assert "can no longer be recorded" in client.get(url).content.decode()
    response = client.post(_tie_url(staff, x), {**_tie_post(x, {x: 2, y: 1}, "表决")})
    assert response.status_code == 200
    assert "already published" in response.content.decode()
    assert not TieDecision.objects.exists() and _ranks(staff, x, y) == [2, 2]


def test_tie_decision_on_a_group_no_longer_tied_is_a_message(client, staff):
    client.force_login(staff.organizer)
    speak_english(client)
    _submit(staff, staff.judge, staff.assignment, ("9", "9", "18"))
    results_aggregate(round_=staff.round)
    response = client.post(
        reverse("dashboard_results_tie_decide", args=[staff.round.pk, staff.solution.pk]), follow=True
    )
    assert "no longer share a rank" in response.content.decode()
    assert not TieDecision.objects.exists()


# --- results: confirming the final list -------------------------------------------------------


def _publish_ended(staff) -> Publication:
    """Publish the aggregated round (service call) with a publicity period that is over."""
    from judging.results.services.publication import publication_publish

    now = timezone.now()
    return publication_publish(
        round_=staff.round,
        actor=staff.organizer,
        publicity_starts_at=now - dt.timedelta(days=8),
        publicity_ends_at=now - dt.timedelta(days=1),
    )


def test_confirm_final_when_allowed(client, staff, django_capture_on_commit_callbacks):
    _published(client, staff, django_capture_on_commit_callbacks, ended=True)
    url = reverse("dashboard_results", args=[staff.round.pk])
    speak_english(client)
    body = client.get(url).content.decode()
    assert re.search(r"<form method=\"post\" data-confirm=\"Confirm the final list\?[^\"]*\">", body)
    assert "data-final-blocker" not in body and re.search(r"<button[^>]*data-confirm-final[^>]*>", body)
    assert "disabled" not in re.search(r"<button[^>]*data-confirm-final[^>]*>", body).group(0)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dashboard_results_confirm_final", args=[staff.round.pk]), follow=True)
    body = response.content.decode()
    publication = Publication.objects.get(round=staff.round)
    assert publication.final_confirmed_at is not None
    assert "The final list is confirmed and advancement is applied." in body and "data-final-confirmed" in body
    assert AuditEvent.objects.filter(action="results.confirm_final").count() == 1
    advanced = RoundResult.objects.get(round=staff.round, solution=staff.solution).advanced
    entry = RoundEntry.objects.get(round=staff.round, solution=staff.solution)
    assert entry.status == (EntryStatus.ADVANCED if advanced else EntryStatus.ELIMINATED)


@pytest.mark.parametrize("blocker", ["publicity_not_ended", "objections_open"])
def test_confirm_final_refused_shows_the_reason_and_changes_nothing(
    client, staff, django_capture_on_commit_callbacks, blocker
):
    publication = _published(client, staff, django_capture_on_commit_callbacks, ended=blocker == "objections_open")
    if blocker == "objections_open":
        _objection(publication, staff)
    expected = {
        "publicity_not_ended": "The publicity period has not ended yet.",
        "objections_open": "Objections are still open; decide them before confirming the final list.",
    }[blocker]
    url = reverse("dashboard_results", args=[staff.round.pk])
    speak_english(client)
    body = client.get(url).content.decode()
    assert f'data-final-blocker="{blocker}"' in body and expected in body
    assert "disabled" in re.search(r"<button[^>]*data-confirm-final[^>]*>", body).group(0)
    entry_status = RoundEntry.objects.get(round=staff.round, solution=staff.solution).status
    response = client.post(reverse("dashboard_results_confirm_final", args=[staff.round.pk]), follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert expected in response.content.decode()
    assert Publication.objects.get(pk=publication.pk).final_confirmed_at is None
    assert not AuditEvent.objects.filter(action="results.confirm_final").exists()
    assert RoundEntry.objects.get(round=staff.round, solution=staff.solution).status == entry_status


def test_confirm_final_before_publishing_shows_the_coded_message(client, staff):
    client.force_login(staff.organizer)
    speak_english(client)
    response = client.post(reverse("dashboard_results_confirm_final", args=[staff.round.pk]), follow=True)
    assert "The round&#x27;s results are not published." in response.content.decode()
    assert not Publication.objects.exists()


def test_export_links(client, staff):
    client.force_login(staff.organizer)
    body = client.get(reverse("dashboard_results", args=[staff.round.pk])).content.decode()
    for kind in ("results", "scores"):
        for fmt in ("csv", "xlsx"):
            assert reverse("results-export", kwargs={"round_id": staff.round.pk, "kind": kind, "fmt": fmt}) in body


# --- objections and awards ------------------------------------------------------------------


def _published(client, staff, django_capture_on_commit_callbacks, *, ended=False) -> Publication:
    with django_capture_on_commit_callbacks(execute=True):
        _aggregate(client, staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dashboard_results_publish", args=[staff.round.pk]))
    assert response.status_code == 302
    publication = Publication.objects.get(round=staff.round)
    if ended:
        Publication.objects.filter(pk=publication.pk).update(
            publicity_starts_at=timezone.now() - dt.timedelta(days=8),
            publicity_ends_at=timezone.now() - dt.timedelta(days=1),
        )
    return publication


def _objection(publication, staff) -> Objection:
    return Objection.objects.create(
        publication=publication,
        solution=staff.solution,
        raised_by=staff.publisher,
        objector_kind="individual",
        real_name="钱实名",
        organization_name="某单位",
        reason="方案涉嫌抄袭",
    )


def test_objection_decide_needs_a_response(client, staff, django_capture_on_commit_callbacks):
    publication = _published(client, staff, django_capture_on_commit_callbacks)
    objection = _objection(publication, staff)
    url = reverse("dashboard_objections", args=[staff.contest.slug])
    assert f'data-objection="{objection.pk}"' in client.get(url).content.decode()
    prefix = f"decide-{objection.pk}"
    decide = reverse("dashboard_objection_decide", args=[staff.contest.slug, objection.pk])
    response = client.post(decide, {f"{prefix}-decision": "dismiss"})
    assert response.status_code == 200 and f'id="id_{prefix}-response_error"' in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            decide,
            {
                f"{prefix}-decision": "dismiss",
                f"{prefix}-response": "经核查不成立",
            },
        )
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DISMISSED and objection.response == "经核查不成立"


def test_awards_ranges_are_validated_then_confirmed(client, staff, django_capture_on_commit_callbacks):
    _published(client, staff, django_capture_on_commit_callbacks, ended=True)
    confirm = reverse("dashboard_awards_confirm", args=[staff.contest.slug])
    response = client.post(confirm, {"awards-first_from": "3", "awards-first_to": "1"})
    assert response.status_code == 200 and 'id="id_awards-first_to_error"' in response.content.decode()
    assert not Award.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm, {"awards-first_from": "1", "awards-first_to": "1"})
    assert response.status_code == 302, response.content.decode()[-3000:]
    award = Award.objects.get(contest=staff.contest)
    assert award.solution_id == staff.solution.pk and award.level == "first"


def test_dashboard_pages_have_no_inline_script(client, staff):
    _submit(staff, staff.judge, staff.assignment, ("8", "7.5", "15"))
    client.force_login(staff.organizer)
    for url in _urls(staff):
        body = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), url
        assert not re.search(r"\son[a-z]+=", body), url


def test_request_a_supplement_with_a_deadline(client, staff):
    solution = _queued_solution(staff)
    client.force_login(staff.organizer)
    url = reverse("dashboard_qualification", args=[staff.contest.slug])
    deadline = (timezone.localtime() + dt.timedelta(days=2)).replace(second=0, microsecond=0)
    prefix = f"qualify-{solution.pk}"
    response = client.post(
        reverse("dashboard_qualify", args=[staff.contest.slug, solution.pk]),
        {
            f"{prefix}-outcome": "supplement_requested",
            f"{prefix}-reason": "缺少盖章承诺书",
            f"{prefix}-supplement_deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    solution.refresh_from_db()
    assert solution.status == SolutionStatus.SUPPLEMENT_REQUESTED
    assert solution.eligibility_decisions.get().supplement_deadline == deadline
    # Still in the queue, waiting for the supplement.
    assert f'data-queue-solution="{solution.pk}"' in client.get(url).content.decode()


def test_remove_a_judge_from_the_pool(client, staff):
    member = JudgePoolMember.objects.get(round=staff.round, judge=staff.unassigned_judge)
    client.force_login(staff.organizer)
    response = client.post(reverse("dashboard_pool_remove", args=[staff.round.pk, member.pk]))
    assert response.status_code == 302
    assert not JudgePoolMember.objects.filter(pk=member.pk).exists()


def test_upholding_an_objection_disqualifies_the_entry(client, staff, django_capture_on_commit_callbacks):
    publication = _published(client, staff, django_capture_on_commit_callbacks)
    objection = _objection(publication, staff)
    prefix = f"decide-{objection.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("dashboard_objection_decide", args=[staff.contest.slug, objection.pk]),
            {
                f"{prefix}-decision": "uphold",
                f"{prefix}-response": "经核查属实",
            },
        )
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD
    assert RoundResult.objects.get(round=staff.round, solution=staff.solution).disqualified


def test_aggregating_while_judging_is_open_asks_first(client, staff):
    client.force_login(staff.organizer)
    speak_english(client)
    body = client.get(reverse("dashboard_results", args=[staff.round.pk])).content.decode()
    assert re.search(r'<form method="post" data-confirm="Judging is still open[^"]*">', body)


@pytest.mark.parametrize(
    "path, data",
    [
        # Each action posts to its own URL, which names the object: a malformed or unknown one
        # does not resolve (404).
        ("/organizer/c/{slug}/scenarios/abc/approve/", {}),
        ("/organizer/c/{slug}/scenarios/999999/reject/", {}),
        ("/organizer/rounds//open-judging/", {}),
        ("/organizer/c/{slug}/nonsense/", {}),
        ("/organizer/rounds/{round}/pool/-1/remove/", {}),
        ("/organizer/rounds/{round}/pool/add/", {"pool_add-judge": "abc"}),
        ("/organizer/rounds/{round}/results/1e9/override/", {}),
        ("/organizer/rounds/{round}/results/publish/", {"publish-publicity_starts_at": "yesterday"}),
        ("/organizer/rounds/{round}/results/zz/tie-decision/", {}),
        ("/organizer/rounds/{round}/results/999999/tie-decision/", {}),
        ("/organizer/rounds/{round}/results/confirm-final/", {"target": "zz"}),
        ("/organizer/c/{slug}/qualification//decide/", {}),
        ("/organizer/c/{slug}/objections/x/decide/", {}),
        ("/organizer/c/{slug}/awards/confirm/", {"awards-first_from": "-3", "awards-merit_round": "zz"}),
    ],
)
def test_bad_posts_are_4xx_or_form_errors_never_500(client, staff, path, data):
    client.force_login(staff.organizer)
    response = client.post(path.format(slug=staff.contest.slug, round=staff.round.pk), data)
    assert response.status_code in (200, 302, 404)
    if response.status_code == 200:
        assert response.context is not None and "errorlist" in response.content.decode()


def test_add_any_user_to_the_pool_by_email(client, staff):
    expert = UserFactory(username="expert_sun", email="sun@tongji.example.com")
    client.force_login(staff.organizer)
    url = reverse("dashboard_pool_add", args=[staff.round.pk])
    missing = client.post(url, {"pool_add-account": "nobody@example.com"})
    assert missing.status_code == 200 and 'id="id_pool_add-account_error"' in missing.content.decode()
    response = client.post(url, {"pool_add-account": "SUN@tongji.example.com"})
    assert response.status_code == 302
    assert JudgePoolMember.objects.filter(round=staff.round, judge=expert).exists()
    assert expert.contest_roles.filter(contest=staff.contest, role="judge").exists()
    again = client.post(url, {"pool_add-account": "expert_sun"})
    assert again.status_code == 200 and again.context["pool_form"].non_field_errors()


def test_overview_shows_judging_progress_per_round(client, staff):
    _submit(staff, staff.judge, staff.assignment, ("8", "7.5", "15"))
    client.force_login(staff.organizer)
    speak_english(client)
    body = client.get(reverse("dashboard_contest", args=[staff.contest.slug])).content.decode()
    # Three active assignments (the conflicted judge's still counts for the organizer), one submitted.
    assert re.search(rf'data-round-progress="{staff.round.pk}">1 / 3 submitted', body)
