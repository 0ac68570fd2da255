"""The scoring sheet with a keyboard on a phone: the running total follows the typing, Enter saves
a draft (never submits), and dismissing the confirmation keeps the review open."""

from decimal import Decimal

import pytest

from contest.enums import Role, RoundStatus
from judging.models import Review
from tests.e2e.conftest import DEFAULT_PASSWORD
from tests.factories.contest import ContestRoleFactory, RoundFactory, ScenarioFactory, UserFactory
from tests.factories.judging import CriterionFactory, JudgeAssignmentFactory, RubricFactory
from tests.factories.submissions import RoundEntryFactory, SolutionFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


@pytest.fixture
def assignment(db):
    scenario = ScenarioFactory(title="智慧港口调度场景")
    round_ = RoundFactory(contest=scenario.contest, status=RoundStatus.JUDGING, blind_review=True)
    rubric = RubricFactory(round=round_, score_step=Decimal("0.5"))
    CriterionFactory(rubric=rubric, name="创新性", weight=Decimal("3"), max_score=Decimal("10"), order=1)
    CriterionFactory(rubric=rubric, name="可行性", weight=Decimal("1"), max_score=Decimal("20"), order=2)
    solution = SolutionFactory(scenario=scenario, title="港口调度优化方案")
    RoundEntryFactory(round=round_, solution=solution)
    judge = UserFactory(username="judge_keyboard")
    ContestRoleFactory(user=judge, contest=scenario.contest, role=Role.JUDGE)
    return JudgeAssignmentFactory(round=round_, solution=solution, judge=judge)


def _focus(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


def test_scoring_sheet_with_the_keyboard(new_context, assignment, screenshot):
    # A page without the shared auto-accepting dialog handler: this test answers the confirm itself.
    page = new_context(viewport={"width": 375, "height": 740}, is_mobile=True).new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", assignment.judge.username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"/judge/assignments/{assignment.pk}/")
    inputs = page.locator("input[data-score]")

    _focus(page, "input[data-score]")
    page.keyboard.type("8")
    # (3·8) / (3·10 + 1·20) × 100 = 48, one of two criteria filled.
    assert page.locator("[data-total]").inner_text() == "48.00 (1/2)"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == inputs.nth(1).get_attribute("name")
    page.keyboard.type("15.5")
    # (24 + 15.5) / 50 × 100 = 79
    assert page.locator("[data-total]").inner_text() == "79.00"
    screenshot(page, "sheet-typed")

    # Enter in a field uses the form's first button: save the draft, never submit.
    page.keyboard.press("Enter")
    page.locator(".message-success").wait_for()
    review = Review.objects.get(assignment=assignment)
    assert review.status == "draft"
    assert sorted(str(s.value) for s in review.scores.all()) == ["15.50", "8.00"]

    # Submitting asks first; saying no leaves the review a draft.
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    _focus(page, "[data-submit-review]")
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    assert questions and Review.objects.get(assignment=assignment).status == "draft"
    screenshot(page, "sheet-draft-saved")
