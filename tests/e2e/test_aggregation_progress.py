"""The organizer's results page follows a running aggregation by polling its status endpoint and
reloads when it has finished (static/js/aggregation.js)."""

import pytest

from contest.enums import Role, RoundStatus
from judging.results.services.aggregation import aggregation_status_set
from tests.factories.contest import ContestRoleFactory, RoundFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def test_results_page_polls_the_aggregation_status(login_page, screenshot):
    round_ = RoundFactory(status=RoundStatus.JUDGING)
    organizer = ContestRoleFactory(contest=round_.contest, role=Role.ORGANIZER).user
    aggregation_status_set(round_id=round_.pk, state="running", task_id="t-1")

    page = login_page(organizer, locale="en-GB")
    page.goto("/")
    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()
    page.wait_for_load_state()
    with page.expect_request(lambda r: r.url.endswith(f"/api/v1/rounds/{round_.pk}/aggregate/status/")):
        page.goto(f"/organizer/rounds/{round_.pk}/results/")
    box = page.locator("[data-aggregation-status]")
    assert box.get_attribute("data-state") == "running"
    assert page.locator("[data-state-label]").inner_text() == "Running"
    screenshot(page, "aggregation-running")

    aggregation_status_set(round_id=round_.pk, state="done", task_id="t-1", computation_id="c-1")
    # The script shows the new state and reloads; only a server render sets data-state.
    page.locator("[data-aggregation-status][data-state='done']").wait_for(timeout=10_000)
    assert page.locator("[data-state-label]").inner_text() == "Done"
    screenshot(page, "aggregation-done")
