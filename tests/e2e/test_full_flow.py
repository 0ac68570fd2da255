"""The whole contest in a real browser, every step through the pages:

a publisher drafts and submits a scenario, an organizer approves it; a captain registers a team,
invites a member who accepts through the link in the invitation notice, takes up the scenario,
uploads a PDF and submits it before the deadline; the organizer qualifies the solution and
auto-assigns judges; the judge scores and submits; the organizer aggregates and publishes; the
public results page shows the team's rank, and the language switch shows it in English.

Seeded directly (not through the UI): the contest, its track and two rounds, the users and their
roles, the judge pool and the rubric. The scored round asks for one judge per solution and one
valid review (judges_per_solution=1, min_reviews=1), so a single judge completes it. Time passing
is simulated once: after the team's submission the qualification round's deadline is moved into
the past, because qualification review opens only after the deadline. Celery tasks run eagerly.
Screenshots of each step go to test-artifacts/screenshots/.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from contest.enums import AdvancementKind, AggregationMethod, OrganizationKind, Role, RoundKind, RoundStatus
from contest.models import Round, Scenario
from judging.models import JudgeAssignment, Review
from judging.results.models import Publication, RoundResult
from notifications.models import Notification
from submissions.enums import SolutionStatus
from submissions.models import Solution
from tests.factories.contest import (
    ContestFactory,
    ContestRoleFactory,
    OrganizationFactory,
    RoundFactory,
    TrackFactory,
    UserFactory,
)
from tests.factories.judging import CriterionFactory, JudgePoolMemberFactory, RubricFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def minimal_pdf() -> bytes:
    """A small but well-formed one-page PDF (header, catalog, pages, page, xref, trailer)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.fixture
def seeded(db):
    now = timezone.now()
    contest = ContestFactory(name="2021上海国资国企数字化转型创新大赛", slug="sh-2021")
    sasac = OrganizationFactory(name="上海市国资委", kind=OrganizationKind.GOVERNMENT)
    bank = OrganizationFactory(name="上海银行股份有限公司", short_name="上海银行", kind=OrganizationKind.SOE)
    lead = OrganizationFactory(name="数智未来科技有限公司", short_name="数智未来")
    university = OrganizationFactory(name="同济大学", kind=OrganizationKind.UNIVERSITY)
    track = TrackFactory(contest=contest, name="数字金融", host=bank)
    qualification = RoundFactory(
        contest=contest,
        sequence=1,
        name="资格审查",
        kind=RoundKind.QUALIFICATION,
        status=RoundStatus.OPEN,
        submission_opens_at=now - dt.timedelta(days=1),
        submission_deadline=now + dt.timedelta(days=1),
        judging_opens_at=None,
        judging_closes_at=None,
        required_documents=[],
    )
    scored = RoundFactory(
        contest=contest,
        sequence=2,
        name="初赛",
        status=RoundStatus.JUDGING,
        submission_opens_at=None,
        submission_deadline=None,
        judging_opens_at=now - dt.timedelta(hours=1),
        judging_closes_at=now + dt.timedelta(days=7),
        judges_per_solution=1,
        min_reviews=1,
        blind_review=True,
        aggregation_method=AggregationMethod.MEAN,
        advancement_kind=AdvancementKind.TOP_N,
        advancement_value=Decimal("1"),
    )
    rubric = RubricFactory(round=scored, name="初赛评分表", score_step=Decimal("0.5"))
    CriterionFactory(rubric=rubric, key="innovation", name="创新性", weight=Decimal("2"), max_score=Decimal("40"))
    CriterionFactory(rubric=rubric, key="feasibility", name="可行性", weight=Decimal("1"), max_score=Decimal("30"))
    CriterionFactory(rubric=rubric, key="value", name="应用价值", weight=Decimal("1"), max_score=Decimal("30"))

    organizer = UserFactory(username="organizer", full_name="王主办", organization=sasac)
    ContestRoleFactory(user=organizer, contest=contest, role=Role.ORGANIZER)
    publisher = UserFactory(username="publisher", full_name="陈发榜", organization=bank)
    ContestRoleFactory(user=publisher, contest=contest, role=Role.PUBLISHER, organization=bank)
    judge = UserFactory(username="judge", full_name="刘评委", organization=university)
    ContestRoleFactory(user=judge, contest=contest, role=Role.JUDGE)
    JudgePoolMemberFactory(round=scored, judge=judge)
    captain = UserFactory(username="captain", full_name="张队长", organization=lead)
    member = UserFactory(username="member", full_name="李队员", email="lisi@example.com")
    return {
        "contest": contest,
        "track": track,
        "qualification": qualification,
        "scored": scored,
        "organizer": organizer,
        "publisher": publisher,
        "judge": judge,
        "captain": captain,
        "member": member,
    }


def test_full_contest_flow(login_page, page, seeded, screenshot):
    contest = seeded["contest"]
    scored = seeded["scored"]

    # 1. The publisher drafts a scenario and submits it for review.
    publisher = login_page(seeded["publisher"])
    publisher.goto(f"/publisher/scenarios/new/?contest={contest.slug}")
    publisher.locator("#id_track").select_option(label="数字金融")
    publisher.locator("#id_title").fill("基于开放银行OpenAPI的产业链供应链金融场景服务")
    publisher.locator("#id_summary").fill("以开放银行接口连接核心企业与上下游，提供供应链融资服务。")
    publisher.locator("#id_problem").fill("中小企业融资难、融资贵。")
    publisher.locator("#id_reward").fill("3000000")
    screenshot(publisher, "publisher-draft")
    publisher.locator("main form.stacked button[type=submit]").click()
    publisher.wait_for_url(re.compile(r"/publisher/scenarios/\d+/edit/$"))
    scenario = Scenario.objects.get(title="基于开放银行OpenAPI的产业链供应链金融场景服务")
    publisher.locator(f"form[action='/publisher/scenarios/{scenario.pk}/submit/'] button").click()
    publisher.wait_for_url("**/publisher/scenarios/")
    scenario.refresh_from_db()
    assert scenario.status == "pending_review"
    screenshot(publisher, "publisher-submitted")

    # 2. The organizer approves it from the dashboard.
    organizer = login_page(seeded["organizer"])
    organizer.goto("/organizer/")
    organizer.get_by_role("link", name=contest.name).click()
    card = organizer.locator(f"[data-pending-scenario='{scenario.pk}']")
    card.wait_for()
    screenshot(organizer, "organizer-approvals")
    card.locator("[data-approve]").click()
    organizer.locator(".message-success").wait_for()
    scenario.refresh_from_db()
    assert scenario.status == "published"
    screenshot(organizer, "organizer-approved")

    # 3. A captain registers a team and invites a member, who accepts through the notice's link.
    captain = login_page(seeded["captain"])
    captain.goto("/team/")
    captain.get_by_role("link", name="注册团队").click()
    captain.get_by_label("团队名称").fill("数智先锋队")
    captain.get_by_label("牵头单位").select_option(label="数智未来科技有限公司")
    captain.get_by_role("button", name="注册").click()
    captain.get_by_role("heading", name="数智先锋队").wait_for()
    captain.get_by_label("被邀请人的电子邮箱").fill("lisi@example.com")
    captain.get_by_role("button", name="发送邀请").click()
    captain.get_by_text("lisi@example.com").first.wait_for()
    screenshot(captain, "team-invited")

    notice = Notification.objects.filter(kind="team_invitation", email="lisi@example.com").first() or (
        Notification.objects.get(kind="team_invitation", recipient=seeded["member"])
    )
    link = re.search(r"/invitations/[\w-]+/", notice.body + " " + notice.link).group(0)
    member = login_page(seeded["member"])
    member.goto(link)
    member.get_by_role("button", name="加入团队").click()
    member.get_by_role("heading", name="数智先锋队").wait_for()
    assert member.get_by_role("cell", name="李队员").is_visible()
    screenshot(member, "member-joined")

    # 4. The captain takes up the scenario, uploads a PDF and submits before the deadline.
    captain.goto(f"/scenarios/{scenario.pk}/")
    captain.get_by_role("link", name="揭榜", exact=True).click()
    captain.get_by_label("方案标题").fill("开放银行供应链金融一体化方案")
    captain.get_by_role("button", name="揭榜", exact=True).click()
    captain.get_by_role("heading", name="开放银行供应链金融一体化方案").wait_for()
    captain.locator("input[name=proposal]").set_input_files(
        {"name": "方案书.pdf", "mimeType": "application/pdf", "buffer": minimal_pdf()}
    )
    with captain.expect_response(lambda r: "/api/v1/solutions/" in r.url and r.request.method == "POST") as info:
        captain.get_by_role("button", name="上传", exact=True).click()
    assert info.value.status == 201
    captain.get_by_role("button", name="提交此版本").wait_for()
    screenshot(captain, "version-uploaded")
    captain.get_by_role("button", name="提交此版本").click()
    captain.get_by_role("heading", name="提交回执").wait_for()
    solution = Solution.objects.get(team__name="数智先锋队", scenario=scenario)
    assert solution.status == SolutionStatus.SUBMITTED
    assert solution.submitted_at < seeded["qualification"].submission_deadline
    screenshot(captain, "receipt")

    # Time passes: the qualification round's deadline is now behind us.
    Round.objects.filter(pk=seeded["qualification"].pk).update(
        submission_deadline=timezone.now() - dt.timedelta(seconds=5)
    )

    # 5. The organizer qualifies the solution and auto-assigns judges.
    organizer.goto(f"/organizer/c/{contest.slug}/qualification/")
    entry = organizer.locator(f"[data-queue-solution='{solution.pk}']")
    entry.wait_for()
    entry.locator(f"input[name='qualify-{solution.pk}-outcome'][value='qualified']").check()
    screenshot(organizer, "qualification-queue")
    entry.locator("[data-decide]").click()
    organizer.locator(".message-success").wait_for()
    solution.refresh_from_db()
    assert solution.status == SolutionStatus.QUALIFIED

    organizer.goto(f"/organizer/rounds/{scored.pk}/")
    organizer.locator("[data-auto-assign]").click()
    organizer.locator("[data-assign-report]").wait_for()
    screenshot(organizer, "auto-assign-report")
    assignment = JudgeAssignment.objects.get(round=scored, solution=solution)
    assert assignment.judge_id == seeded["judge"].pk

    # 6. The judge scores on a phone-sized screen and submits (the confirmation is accepted).
    judge = login_page(seeded["judge"], viewport={"width": 390, "height": 844}, is_mobile=True)
    judge.goto("/judge/")
    judge.locator(f"[data-assignment='{assignment.pk}'] a").click()
    inputs = judge.locator("input[data-score]")
    assert inputs.count() == 3
    for i, value in enumerate(("34", "25.5", "27")):
        inputs.nth(i).fill(value)
    # (2·34 + 25.5 + 27) / (2·40 + 30 + 30) × 100 = 120.5 / 140 × 100 = 86.07
    assert judge.locator("[data-total]").inner_text() == "86.07"
    assert "数智先锋队" not in judge.content()  # blind round
    screenshot(judge, "judge-scoring")
    judge.locator("[data-submit-review]").click()
    judge.wait_for_url("**/judge/")
    assert Review.objects.get(assignment=assignment).status == "submitted"
    assert "1 / 1" in judge.locator("[data-progress]").first.inner_text()
    screenshot(judge, "judge-submitted")

    # 7. The organizer follows the progress, aggregates (the task runs eagerly) and publishes.
    organizer.goto(f"/organizer/rounds/{scored.pk}/")
    assert "1 / 1" in organizer.locator(f"[data-judge-progress='{seeded['judge'].username}']").inner_text()
    assert organizer.locator("#chart-judges-title").count() == 1
    screenshot(organizer, "progress-and-distributions")
    organizer.goto(f"/organizer/rounds/{scored.pk}/results/")
    organizer.locator("[data-aggregate]").click()
    organizer.locator(f"[data-result='{solution.pk}']").wait_for()
    assert organizer.locator("[data-aggregation-status]").get_attribute("data-state") == "done"
    result = RoundResult.objects.get(round=scored, solution=solution)
    assert result.score == Decimal("86.07") and result.rank == 1
    screenshot(organizer, "aggregated")
    organizer.locator("[data-publish]").click()
    organizer.locator("[data-publication]").wait_for()
    assert Publication.objects.filter(round=scored).count() == 1
    screenshot(organizer, "published")

    # 8. The public results page shows the team's rank; the language switch shows it in English.
    page.goto(f"/c/{contest.slug}/results/")
    row = page.locator("[data-results-table] tr", has_text="数智先锋队")
    assert row.locator("[data-rank]").inner_text() == "1"
    assert "86.07" in row.inner_text()
    screenshot(page, "public-results-zh")
    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Published results"
    assert page.locator("[data-results-table] tr", has_text="数智先锋队").locator("[data-rank]").inner_text() == "1"
    screenshot(page, "public-results-en")
