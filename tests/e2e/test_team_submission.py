"""A captain registers a team, invites a member who accepts by link, takes up a scenario,
uploads a PDF with the progress bar (XHR to the API) and submits it; the receipt names the
version's SHA-256."""

import pytest

from contest.enums import RoundKind
from submissions.models import Invitation, Solution
from tests.factories.contest import (
    ContestFactory,
    OrganizationFactory,
    RoundFactory,
    ScenarioFactory,
    TrackFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"%" * 200_000


@pytest.fixture
def setting(db):
    contest = ContestFactory(name="2021上海国资国企数字化转型创新大赛", slug="sh-2021")
    bank = OrganizationFactory(name="上海银行股份有限公司")
    lead = OrganizationFactory(name="示例科技有限公司")
    track = TrackFactory(contest=contest, name="数字金融", host=bank)
    RoundFactory(contest=contest, sequence=1, name="资格审查", kind=RoundKind.QUALIFICATION, required_documents=[])
    scenario = ScenarioFactory(track=track, publisher=bank, title="基于开放银行OpenAPI的产业链供应链金融场景服务")
    captain = UserFactory(username="captain", full_name="张三", organization=lead)
    member = UserFactory(username="member", full_name="李四", email="lisi@example.com")
    return {"contest": contest, "lead": lead, "scenario": scenario, "captain": captain, "member": member}


def test_register_invite_take_up_upload_and_submit(login_page, setting, screenshot):
    page = login_page(setting["captain"])
    page.goto("/team/")
    page.get_by_role("link", name="注册团队").click()
    page.get_by_label("团队名称").fill("数智先锋队")
    page.get_by_label("牵头单位").select_option(label="示例科技有限公司")
    screenshot(page, "team-form")
    page.get_by_role("button", name="注册").click()
    page.get_by_role("heading", name="数智先锋队").wait_for()

    page.get_by_label("被邀请人的电子邮箱").fill("lisi@example.com")
    page.get_by_role("button", name="发送邀请").click()
    page.get_by_text("lisi@example.com").first.wait_for()
    screenshot(page, "team-invited")

    token = Invitation.objects.get(email="lisi@example.com").token
    member_page = login_page(setting["member"])
    member_page.goto(f"/invitations/{token}/")
    member_page.get_by_role("button", name="加入团队").click()
    member_page.get_by_role("heading", name="数智先锋队").wait_for()
    assert member_page.get_by_role("cell", name="李四").is_visible()
    screenshot(member_page, "member-joined")

    page.goto(f"/scenarios/{setting['scenario'].pk}/")
    page.get_by_role("link", name="揭榜", exact=True).click()
    page.get_by_label("方案标题").fill("开放银行供应链金融一体化方案")
    page.get_by_role("button", name="揭榜", exact=True).click()
    page.get_by_role("heading", name="开放银行供应链金融一体化方案").wait_for()

    screenshot(page, "solution-page")
    page.get_by_label("标题").fill("第一版")
    page.locator("input[name=proposal]").set_input_files(
        {"name": "方案书.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    upload_form = page.locator("form[data-upload]")
    assert upload_form.get_attribute("data-upload-url", timeout=1000).startswith("/api/v1/solutions/")
    with page.expect_response(lambda r: "/api/v1/solutions/" in r.url and r.request.method == "POST") as info:
        page.get_by_role("button", name="上传", exact=True).click()
    assert info.value.status == 201
    page.wait_for_load_state()
    page.get_by_role("button", name="提交此版本").wait_for()
    screenshot(page, "version-uploaded")

    solution = Solution.objects.get(title="开放银行供应链金融一体化方案")
    version = solution.versions.get()
    assert version.files.get().original_name.endswith(".pdf")

    page.get_by_role("button", name="提交此版本").click()
    page.get_by_role("heading", name="提交回执").wait_for()
    assert page.locator("[data-receipt-sha256]").inner_text() == version.sha256
    screenshot(page, "receipt")


def test_upload_error_is_shown_without_leaving_the_page(login_page, setting):
    from submissions.services import solution_create, team_create

    team = team_create(actor=setting["captain"], contest=setting["contest"], name="测试队", lead_unit=setting["lead"])
    solution = solution_create(actor=setting["captain"], team=team, scenario=setting["scenario"], title="方案")
    page = login_page(setting["captain"])
    page.goto(f"/solutions/{solution.pk}/")
    page.locator("input[name=proposal]").set_input_files(
        {"name": "virus.pdf", "mimeType": "application/pdf", "buffer": b"\x7fELF" + b"\0" * 100}
    )
    page.get_by_role("button", name="上传", exact=True).click()
    error = page.locator("[data-upload-error]")
    error.wait_for(state="visible")
    assert error.inner_text()
    assert page.url.endswith(f"/solutions/{solution.pk}/")
    assert solution.versions.count() == 0
