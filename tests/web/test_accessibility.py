"""Every page: one h1, a language, a skip link to <main>, a label for every form control and no
inline script (the content security policy would block it)."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.factories.submissions import SolutionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


class PageAudit(HTMLParser):
    def __init__(self):
        super().__init__()
        self.h1 = 0
        self.lang = None
        self.labels_for = set()
        self.controls = []  # (tag, attrs)
        self.inline_scripts = 0
        self.main_id = None
        self.skip_link = None
        self._label_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "h1":
            self.h1 += 1
        elif tag == "main":
            self.main_id = attrs.get("id")
        elif tag == "a" and "skip-link" in (attrs.get("class") or ""):
            self.skip_link = attrs.get("href")
        elif tag == "label":
            self._label_depth += 1
            if attrs.get("for"):
                self.labels_for.add(attrs["for"])
        elif tag == "script" and not attrs.get("src"):
            self.inline_scripts += 1
        elif tag in ("input", "select", "textarea"):
            kind = attrs.get("type", "text")
            if tag == "input" and kind in ("hidden", "submit", "button"):
                return
            self.controls.append((tag, attrs, self._label_depth > 0))

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_depth -= 1

    def unlabelled(self):
        bad = []
        for tag, attrs, wrapped in self.controls:
            if wrapped or attrs.get("aria-label") or attrs.get("aria-labelledby"):
                continue
            if attrs.get("id") in self.labels_for:
                continue
            bad.append(f"<{tag} name={attrs.get('name')!r} id={attrs.get('id')!r}>")
        return bad


def audit(response) -> PageAudit:
    assert response.status_code == 200, response.status_code
    page = PageAudit()
    page.feed(response.content.decode())
    return page


def pages(world, solution):
    slug = world.contest.slug
    public = [
        reverse("home"),
        reverse("contest_home", args=[slug]),
        reverse("scenario_list", args=[slug]),
        reverse("scenario_list", args=[slug]) + "?reward_min=9&reward_max=1",
        reverse("scenario_detail", args=[world.s_fin.pk]),
        reverse("scenario_detail", args=[world.s_withdrawn.pk]),
        reverse("results", args=[slug]),
        reverse("award_list", args=[slug]),
        reverse("certificate_verify") + "?code=NOPE",
        reverse("login"),
        reverse("signup"),
        reverse("signup_done"),
        reverse("password_reset"),
    ]
    captain = [
        reverse("team_home"),
        reverse("team_detail", args=[world.team.pk]),
        reverse("solution_detail", args=[solution.pk]),
        reverse("solution_withdraw", args=[solution.pk]),
        reverse("solution_start", args=[world.s_mfg.pk]),
        reverse("profile"),
        reverse("notification_list"),
        reverse("password_change"),
    ]
    publisher = [
        reverse("publisher_scenarios"),
        reverse("publisher_scenario_create"),
        reverse("publisher_scenario_edit", args=[world.s_draft.pk]),
        reverse("publisher_scenario_withdraw", args=[world.s_fin.pk]),
        reverse("publisher_scenario_solutions", args=[world.s_fin.pk]),
    ]
    return [(None, url) for url in public] + [("captain", u) for u in captain] + [("publisher", u) for u in publisher]


def test_every_page_is_labelled_and_has_no_inline_script(client, world):
    solution = SolutionFactory(team=world.team, scenario=world.s_fin)
    problems = []
    for who, url in pages(world, solution):
        if who:
            client.force_login(getattr(world, who))
        else:
            client.logout()
        page = audit(client.get(url))
        if page.h1 != 1:
            problems.append(f"{url}: {page.h1} h1 elements")
        if page.lang not in ("zh-Hans", "en"):
            problems.append(f"{url}: html lang={page.lang!r}")
        if page.skip_link != "#main" or page.main_id != "main":
            problems.append(f"{url}: no skip link to <main id=main>")
        if page.inline_scripts:
            problems.append(f"{url}: {page.inline_scripts} inline scripts")
        problems += [f"{url}: unlabelled {c}" for c in page.unlabelled()]
    assert not problems, "\n".join(problems)


def test_the_audit_finds_unlabelled_controls():
    page = PageAudit()
    page.feed(
        '<label for="a">A</label><input id="a"><input id="b" name="b"><label>C <select name="c"></select></label>'
    )
    assert page.unlabelled() == ["<input name='b' id='b'>"]
