"""Role × URL matrix of the organizer back office: every page and every action under
/organizer/, for every persona of the security world.

Outcomes: OK is 200 or a redirect back to the page (an action done, or refused by its service
with a message); "login" is the redirect to the login page; 403/404/405 are exact. A refused
action must change no row (each request runs in a rolled-back savepoint). A URL under
/organizer/ without a row here fails `test_every_staff_url_has_a_row`.
"""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .world import PERSONAS, db_snapshot, snapshot_diff

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

OK = "ok"
LOGIN = "login"
NOT_STATE = {"contest.SecurityEvent"}


def row(default, **overrides):
    unknown = set(overrides) - set(PERSONAS)
    assert not unknown, unknown
    return {"anonymous": LOGIN, **{p: overrides.get(p, default) for p in PERSONAS if p != "anonymous"}}


def organizers_only():
    return row(403, organizer=OK)


# name: (method, args from the world, body, expected per persona)
CASES = {
    # contest.staff
    "organizer_home": ("get", lambda w: [], None, row(403, organizer=OK, organizer_other=OK, track_host=OK)),
    "dashboard_contest": ("get", lambda w: [w.contest.slug], None, organizers_only()),
    "dashboard_security_events": ("get", lambda w: [w.contest.slug], None, organizers_only()),
    "dashboard_scenario_approve": (
        "post",
        lambda w: [w.contest.slug, w.scenario_draft.pk],
        {},
        organizers_only(),
    ),
    "dashboard_scenario_reject": (
        "post",
        lambda w: [w.contest.slug, w.scenario_draft.pk],
        {},
        organizers_only(),
    ),
    # submissions.staff
    "dashboard_qualification": ("get", lambda w: [w.contest.slug], None, organizers_only()),
    "dashboard_qualify": ("post", lambda w: [w.contest.slug, w.sol_a.pk], {}, organizers_only()),
    # judging.staff: opening and closing judging, one round's judging
    "dashboard_round_open_judging": ("post", lambda w: [w.round2.pk], {}, organizers_only()),
    "dashboard_round_close_judging": ("post", lambda w: [w.round2.pk], {}, organizers_only()),
    "dashboard_round": ("get", lambda w: [w.round2.pk], None, row(403, organizer=OK, track_host=OK)),
    "dashboard_pool_add": ("post", lambda w: [w.round2.pk], {}, row(403, organizer=OK, track_host=OK)),
    "dashboard_pool_remove": (
        "post",
        lambda w: [w.round2.pk, w.pool_assigned.pk],
        {},
        row(403, organizer=OK),
    ),
    "dashboard_auto_assign": ("post", lambda w: [w.round2.pk], {}, row(403, organizer=OK, track_host=OK)),
    "dashboard_flag_void": (
        "post",
        lambda w: [w.round2.pk, w.flag_b.pk],
        {"reason": ""},
        row(403, organizer=OK, track_host=OK),
    ),
    "dashboard_flag_keep": (
        "post",
        lambda w: [w.round2.pk, w.flag_b.pk],
        {"reason": ""},
        row(403, organizer=OK, track_host=OK),
    ),
    # judging.staff.results: results, objections, awards
    "dashboard_results": ("get", lambda w: [w.round2.pk], None, organizers_only()),
    "dashboard_results_aggregate": ("post", lambda w: [w.round2.pk], {}, organizers_only()),
    "dashboard_results_override": ("post", lambda w: [w.round2.pk, w.sol_b.pk], {}, organizers_only()),
    "dashboard_results_tie_decide": ("post", lambda w: [w.round2.pk, w.sol_b.pk], {}, organizers_only()),
    "dashboard_results_publish": ("post", lambda w: [w.round2.pk], {}, organizers_only()),
    "dashboard_results_confirm_final": ("post", lambda w: [w.round2.pk], {}, organizers_only()),
    "dashboard_objections": ("get", lambda w: [w.contest.slug], None, organizers_only()),
    "dashboard_objection_decide": ("post", lambda w: [w.contest.slug, w.objection.pk], {}, organizers_only()),
    "dashboard_awards": ("get", lambda w: [w.contest.slug], None, organizers_only()),
    "dashboard_awards_confirm": ("post", lambda w: [w.contest.slug], {}, organizers_only()),
    "dashboard_award_revoke": ("post", lambda w: [w.contest.slug, w.award.pk], {}, organizers_only()),
    "dashboard_award_reissue": ("post", lambda w: [w.contest.slug, w.award.pk], {}, organizers_only()),
}


def _staff_url_names(patterns=None, prefix="") -> set[str]:
    names = set()
    for p in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            names |= _staff_url_names(p.url_patterns, route)
        elif isinstance(p, URLPattern) and route.startswith("organizer/"):
            names.add(p.name)
    return names


def test_every_staff_url_has_a_row():
    names = _staff_url_names()
    assert names == set(CASES), {"missing": names - set(CASES), "stale": set(CASES) - names}


def _outcome(response, method: str):
    if response.status_code == 302:
        location = response["Location"]
        if reverse("login") in location:
            return LOGIN
        return OK if method == "post" else location
    return OK if response.status_code == 200 else response.status_code


def test_staff_page_matrix(world):
    """Every row against one world; each request is rolled back, so all start from the same."""
    clients = {}
    for persona in PERSONAS:
        clients[persona] = Client()
        user = world.user(persona)
        if user is not None:
            clients[persona].force_login(user)
    before = db_snapshot()
    problems = {}
    for name, (method, args, body, expected) in sorted(CASES.items()):
        url = reverse(name, args=args(world))
        observed, leaked = {}, {}
        for persona in PERSONAS:
            with transaction.atomic():
                client = clients[persona]
                response = client.post(url, body) if method == "post" else client.get(url)
                observed[persona] = _outcome(response, method)
                changed = [t for t in snapshot_diff(before, db_snapshot()) if t not in NOT_STATE]
                transaction.set_rollback(True)
            if observed[persona] != OK and changed:
                leaked[persona] = changed
        mismatches = {p: (expected[p], observed[p]) for p in PERSONAS if expected[p] != observed[p]}
        if mismatches:
            problems[name] = f"persona → (expected, actual): {mismatches}"
        if leaked:
            problems[name + " (refused but changed rows)"] = leaked
        if method == "get":
            # Pages are read-only: a post to a page (the old `op` dispatch) is not allowed.
            with transaction.atomic():
                status = clients["organizer"].post(url, {"op": "approve"}).status_code
                transaction.set_rollback(True)
            if status != 405:
                problems[name + " (POST to the page)"] = status
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())
