"""Every role against every judging endpoint (status codes), and the predicates table-driven."""

import datetime as dt

import pytest
from django.utils import timezone

from judging.models import JudgeAssignment
from judging.permissions import can_declare_conflict, can_manage_judging, can_score_assignment, can_view_rubric
from judging.services.scoring import review_submit
from tests.factories.contest import TrackFactory, UserFactory
from tests.judging.helpers import full_scores

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

ROLES = ["anonymous", "captain", "judge", "unassigned_judge", "conflicted_judge", "publisher", "organizer"]


@pytest.fixture
def setup(world):
    """The world plus: a raw assignment for the conflicted judge (a conflict must still hide it),
    a submitted review by the other judge (to return/void), a track and a spare user."""
    conflicted_assignment = JudgeAssignment.objects.create(
        round=world.round, solution=world.solution, judge=world.conflicted_judge
    )
    other_review = review_submit(
        judge=world.other_judge, assignment_id=world.other_assignment.pk, scores=full_scores(world)
    )
    from judging.models import ConflictFlag

    flag = ConflictFlag.objects.create(
        round=world.round,
        assignment=world.other_assignment,
        review=other_review,
        judge=world.other_judge,
        solution=world.solution,
        reasons=["organization_group"],
    )
    return {
        "world": world,
        "conflicted_assignment": conflicted_assignment,
        "other_review": other_review,
        "flag": flag,
        "track": TrackFactory(contest=world.contest),
        "spare": UserFactory(),
        "criterion": world.criteria[0],
    }


def _user(world, role):
    return None if role == "anonymous" else getattr(world, role)


def _own_assignment(ctx, role):
    return ctx["conflicted_assignment"] if role == "conflicted_judge" else ctx["world"].assignment


R = "/api/v1/judging/rounds/{round}/"
ORG_ONLY = dict.fromkeys(ROLES, 403)
JUDGE_READ = {**ORG_ONLY, "judge": 200, "unassigned_judge": 200, "conflicted_judge": 200, "organizer": 200}
OWN = dict.fromkeys(ROLES, 404) | {"anonymous": 403}
SECRET = dict.fromkeys(ROLES, 404) | {"anonymous": 403}

ENDPOINTS = [
    # (name, method, url template, payload builder, expected {role: status}, organizer status)
    ("rubric_list", "get", R + "rubrics/", None, JUDGE_READ),
    (
        "rubric_create",
        "post",
        R + "rubrics/",
        lambda c: {"name": "赛道评分表", "track": c["track"].pk},
        ORG_ONLY | {"organizer": 409},
    ),
    ("rubric_detail", "get", "/api/v1/judging/rubrics/{rubric}/", None, JUDGE_READ),
    (
        "rubric_update",
        "patch",
        "/api/v1/judging/rubrics/{rubric}/",
        lambda c: {"name": "新名"},
        ORG_ONLY | {"organizer": 409},
    ),
    ("rubric_delete", "delete", "/api/v1/judging/rubrics/{rubric}/", None, ORG_ONLY | {"organizer": 409}),
    (
        "criterion_create",
        "post",
        "/api/v1/judging/rubrics/{rubric}/criteria/",
        lambda c: {"key": "extra", "name": "附加", "max_score": "5"},
        ORG_ONLY | {"organizer": 409},
    ),
    (
        "criterion_update",
        "patch",
        "/api/v1/judging/criteria/{criterion}/",
        lambda c: {"name": "改"},
        ORG_ONLY | {"organizer": 409},
    ),
    ("criterion_delete", "delete", "/api/v1/judging/criteria/{criterion}/", None, ORG_ONLY | {"organizer": 409}),
    ("pool_list", "get", R + "pool/", None, ORG_ONLY | {"organizer": 200}),
    (
        "pool_add",
        "post",
        R + "pool/",
        lambda c: {"judge": c["spare"].pk, "group": "外部专家", "load_cap": 5},
        ORG_ONLY | {"organizer": 201},
    ),
    (
        "pool_update",
        "patch",
        "/api/v1/judging/pool/{pool_member}/",
        lambda c: {"load_cap": 9},
        ORG_ONLY | {"organizer": 200},
    ),
    ("pool_remove", "delete", "/api/v1/judging/pool/{pool_member}/", None, ORG_ONLY | {"organizer": 204}),
    ("conflict_list", "get", R + "conflicts/", None, ORG_ONLY | {"organizer": 200}),
    ("conflict_computed", "get", R + "conflicts/computed/", None, ORG_ONLY | {"organizer": 200}),
    (
        "conflict_add",
        "post",
        R + "conflicts/",
        lambda c: {"judge": c["spare"].pk, "team": c["world"].team.pk, "reason": "回避"},
        ORG_ONLY | {"organizer": 201},
    ),
    ("conflict_flags", "get", R + "conflict-flags/", None, ORG_ONLY | {"organizer": 200}),
    (
        "conflict_flag_resolve",
        "post",
        "/api/v1/judging/conflict-flags/{flag}/resolve/",
        lambda c: {"action": "keep", "reason": "经核实无利益关系"},
        SECRET | {"organizer": 200},
    ),
    ("assignment_list", "get", R + "assignments/", None, ORG_ONLY | {"organizer": 200}),
    (
        "assignment_create",
        "post",
        R + "assignments/",
        lambda c: {"solution": c["world"].solution.pk, "judge": c["world"].unassigned_judge.pk},
        ORG_ONLY | {"organizer": 201},
    ),
    ("auto_assign", "post", R + "auto-assign/", lambda c: {"seed": 3}, ORG_ONLY | {"organizer": 200}),
    ("assignment_remove", "delete", "/api/v1/judging/assignments/{assignment}/", None, ORG_ONLY | {"organizer": 200}),
    ("review_list", "get", R + "reviews/", None, ORG_ONLY | {"organizer": 200}),
    (
        "review_return",
        "post",
        "/api/v1/judging/reviews/{other_review}/return/",
        lambda c: {"reason": "请补充"},
        SECRET | {"organizer": 200},
    ),
    (
        "review_void",
        "post",
        "/api/v1/judging/reviews/{other_review}/void/",
        lambda c: {"reason": "冲突"},
        SECRET | {"organizer": 200},
    ),
    (
        "open_judging",
        "post",
        R + "open-judging/",
        lambda c: {"closes_at": (timezone.now() + dt.timedelta(days=3)).isoformat()},
        ORG_ONLY | {"organizer": 200},
    ),
    ("close_judging", "post", R + "close-judging/", None, ORG_ONLY | {"organizer": 200}),
    (
        "reopen",  # the round is still judging: refused even for the organizer
        "post",
        R + "reopen/",
        lambda c: {"reason": "复核", "closes_at": (timezone.now() + dt.timedelta(days=3)).isoformat()},
        ORG_ONLY | {"organizer": 409},
    ),
    ("progress", "get", R + "progress/", None, ORG_ONLY | {"organizer": 200}),
    ("blind_title_flags", "get", R + "blind-title-flags/", None, ORG_ONLY | {"organizer": 200}),
    ("my_assignments", "get", "/api/v1/judging/my/assignments/", None, dict.fromkeys(ROLES, 200) | {"anonymous": 403}),
    ("my_assignment", "get", "/api/v1/judging/my/assignments/{own}/", None, OWN | {"judge": 200}),
    (
        "my_review_draft",
        "put",
        "/api/v1/judging/my/assignments/{own}/review/",
        lambda c: {"comment": "草稿"},
        OWN | {"judge": 200},
    ),
    (
        "my_review_submit",
        "post",
        "/api/v1/judging/my/assignments/{own}/review/submit/",
        lambda c: {"scores": [{"criterion": cid, "value": v} for cid, v in full_scores(c["world"])]},
        OWN | {"judge": 200},
    ),
    (
        "my_declare_conflict",
        "post",
        "/api/v1/judging/my/assignments/{own}/declare-conflict/",
        lambda c: {"reason": "亲属"},
        OWN | {"judge": 201},
    ),
]


def test_matrix_covers_every_judging_url():
    from judging.api.urls_judging import urlpatterns

    assert len(urlpatterns) == 26
    assert len({e[2] for e in ENDPOINTS}) == 26
    assert len(ENDPOINTS) == 34  # some urls take several methods


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "url", "payload", "expected"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_permission_matrix(setup, api_client, role, name, method, url, payload, expected):
    world = setup["world"]
    user = _user(world, role)
    if user is not None:
        api_client.force_authenticate(user)
    # Frozen rubric edits answer 409 for organizers: a score exists (the other judge's review).
    path = url.format(
        round=world.round.pk,
        rubric=world.rubric.pk,
        criterion=setup["criterion"].pk,
        pool_member=world.pool[world.unassigned_judge.pk].pk,
        assignment=world.assignment.pk,
        other_review=setup["other_review"].pk,
        own=_own_assignment(setup, role).pk,
        flag=setup["flag"].pk,
    )
    response = getattr(api_client, method)(path, payload(setup) if payload else None, format="json")
    assert response.status_code == expected[role], (role, name, response.content[:300])
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"code", "detail", "extra"}


@pytest.mark.parametrize(
    ("role", "manage", "view_rubric", "score", "declare"),
    [
        ("anonymous", False, False, False, False),
        ("captain", False, False, False, False),
        ("judge", False, True, True, True),
        ("unassigned_judge", False, True, False, False),
        ("conflicted_judge", False, True, False, False),
        ("publisher", False, False, False, False),
        ("organizer", True, True, False, False),
    ],
)
def test_predicates(world, role, manage, view_rubric, score, declare):
    from django.contrib.auth.models import AnonymousUser

    user = _user(world, role) or AnonymousUser()
    assert can_manage_judging(user, world.round) is manage
    assert can_view_rubric(user, world.rubric) is view_rubric
    assert can_score_assignment(user, world.assignment) is score
    assert can_declare_conflict(user, world.assignment) is declare
