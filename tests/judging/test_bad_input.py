"""Malformed input to every judging write endpoint is a 4xx with a code, never a 500.

(Some payloads carry a valid subset, e.g. a reason, so an endpoint may act on them; that the
refused ones change nothing is tested per service.)"""

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

HUGE = 10**30
GARBAGE = [
    {},
    [],
    "x",
    {"judge": HUGE, "solution": HUGE, "team": HUGE, "organization": HUGE, "reason": "r"},
    {"judge": "abc", "tracks": ["x"], "load_cap": -1},
    {"judge": 1, "tracks": [HUGE], "load_cap": 10**12},
    {"name": "a\x00b", "key": "k", "max_score": "NaN", "weight": "-1", "score_step": "0"},
    {"scores": [{"criterion": HUGE, "value": "1"}]},
    {"scores": "not-a-list"},
    {"scores": [{"criterion": "x"}]},
    {"comment": "\x00"},
    {"reason": "\x00"},
    {"closes_at": "yesterday"},
    {"seed": -5},
    {"track": HUGE, "name": "x"},
]


@pytest.mark.parametrize("payload", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_is_a_4xx(world, api_client, payload):
    base = "/api/v1/judging"
    r = f"{base}/rounds/{world.round.pk}"
    a = f"{base}/my/assignments/{world.assignment.pk}"
    organizer_posts = [
        f"{r}/rubrics/",
        f"{base}/rubrics/{world.rubric.pk}/criteria/",
        f"{r}/pool/",
        f"{r}/conflicts/",
        f"{r}/assignments/",
        f"{r}/auto-assign/",
        f"{r}/open-judging/",
    ]
    organizer_patches = [f"{base}/rubrics/{world.rubric.pk}/", f"{base}/criteria/{world.criteria[0].pk}/"]
    judge_writes = [("put", f"{a}/review/"), ("post", f"{a}/review/submit/"), ("post", f"{a}/declare-conflict/")]
    api_client.force_authenticate(world.organizer)
    for url in organizer_posts:
        response = api_client.post(url, payload, format="json")
        assert response.status_code < 500, (url, response.content[:200])
        if response.status_code >= 400:
            assert {"code", "detail", "extra"} == set(response.json())
    for url in organizer_patches:
        response = api_client.patch(url, payload, format="json")
        assert response.status_code < 500, (url, response.content[:200])
    for url in (f"{r}/assignments/?judge={HUGE}&solution=-1", f"{base}/my/assignments/?round={HUGE}"):
        assert api_client.get(url).status_code < 500
    api_client.force_authenticate(world.judge)
    for method, url in judge_writes:
        response = getattr(api_client, method)(url, payload, format="json")
        assert response.status_code < 500, (url, response.content[:200])
