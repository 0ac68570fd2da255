"""A visitor browses the contest in Chinese, finds a scenario and switches the site to English."""

import pytest
from django.urls import reverse

from contest.enums import RoundKind
from tests.factories.contest import ContestFactory, OrganizationFactory, RoundFactory, ScenarioFactory, TrackFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


@pytest.fixture
def contest(db):
    contest = ContestFactory(name="2021上海国资国企数字化转型创新大赛", slug="sh-2021")
    bank = OrganizationFactory(name="上海银行股份有限公司", short_name="上海银行")
    fin = TrackFactory(contest=contest, name="数字金融", host=bank)
    RoundFactory(contest=contest, sequence=1, name="资格审查", kind=RoundKind.QUALIFICATION)
    ScenarioFactory(track=fin, publisher=bank, title="基于开放银行OpenAPI的产业链供应链金融场景服务")
    ScenarioFactory(track=fin, publisher=bank, title="RPA+OCR运营流程自动化扩面与智能单据识别")
    return contest


def test_home_catalogue_and_language_switch(page, contest, screenshot):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.get_by_role("heading", level=1).inner_text() == contest.name
    screenshot(page, "home-zh")

    # Keyboard: the first Tab reaches the skip link, which moves focus to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="榜单").click()
    page.wait_for_url(f"**{reverse('scenario_list', args=[contest.slug])}")
    assert page.get_by_role("heading", level=1).inner_text() == "榜单目录"
    page.get_by_label("搜索").fill("OpenAPI")
    page.get_by_role("button", name="筛选").click()
    results = page.locator("[data-scenario-list] > li")
    assert results.count() == 1
    assert "OpenAPI" in results.first.inner_text()
    screenshot(page, "catalogue-search-zh")

    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Scenario catalogue"
    # The filter survives the switch (the form posts back to the same URL).
    assert page.locator("[data-scenario-list] > li").count() == 1
    screenshot(page, "catalogue-en")


def test_phone_layout_menu_toggle(new_context, contest, screenshot):
    page = new_context(viewport={"width": 375, "height": 740}, is_mobile=True).new_page()
    page.goto("/")
    nav = page.locator("#site-nav")
    assert not nav.is_visible()
    page.get_by_role("button", name="菜单").click()
    assert nav.is_visible()
    assert page.get_by_role("button", name="菜单").get_attribute("aria-expanded") == "true"
    screenshot(page, "home-phone-menu")
