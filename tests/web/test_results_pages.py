import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from judging.enums import ReviewStatus
from judging.results.enums import AwardLevel
from judging.results.models import Award, Objection, RoundResult
from judging.results.services.publication import publication_publish
from tests.factories.judging import ReviewFactory
from tests.factories.submissions import SolutionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


@pytest.fixture
def scored(world):
    """Two solutions with aggregated (not yet published) results in round 2."""
    ours = SolutionFactory(team=world.team, scenario=world.s_fin, title="我们的方案")
    theirs = SolutionFactory(team=world.other_team, scenario=world.s_fin, title="他们的方案")
    for rank, (solution, score) in enumerate(((theirs, "91.50"), (ours, "84.63")), start=1):
        RoundResult.objects.create(
            round=world.round2,
            solution=solution,
            group_key=f"track:{world.fin.pk}",
            score=Decimal(score),
            judge_count=3,
            rank=rank,
            advanced=rank == 1,
        )
    review = ReviewFactory(
        assignment__round=world.round2,
        assignment__solution=ours,
        status=ReviewStatus.SUBMITTED,
        team_comment="落地路径清晰",
        comment="仅供主办方参考的保密意见",
    )
    return {"ours": ours, "theirs": theirs, "review": review}


def publish(world, **kwargs):
    return publication_publish(round_=world.round2, actor=world.organizer, **kwargs)


def test_unpublished_results_are_invisible(client, world, scored):
    response = client.get(reverse("results", args=[world.contest.slug]))
    body = response.content.decode()
    assert response.status_code == 200
    assert world.team.name not in body and "84.63" not in body


def test_published_results_show_rank_per_track(client, world, scored):
    publish(world)
    response = client.get(reverse("results", args=[world.contest.slug]))
    body = response.content.decode()
    assert "84.63" in body and world.other_team.name in body and "数字金融" in body
    filtered = client.get(reverse("results", args=[world.contest.slug]), {"track": world.mfg.pk})
    assert "84.63" not in filtered.content.decode()


def test_results_track_filter_ignores_garbage(client, world, scored):
    publish(world)
    assert client.get(reverse("results", args=[world.contest.slug]), {"track": "x"}).status_code == 200


def test_team_sees_anonymised_feedback_only_after_publication(client, world, scored):
    client.force_login(world.captain)
    url = reverse("solution_detail", args=[scored["ours"].pk])
    assert "落地路径清晰" not in client.get(url).content.decode()
    publish(world)
    body = client.get(url).content.decode()
    assert "落地路径清晰" in body
    assert "仅供主办方参考的保密意见" not in body  # the confidential comment is for organizers
    assert str(scored["review"].judge) not in body
    assert scored["review"].judge.username not in body


def test_award_list_and_certificate_verification(client, world, scored):
    Award.objects.create(
        contest=world.contest,
        solution=scored["ours"],
        level=AwardLevel.FIRST,
        final_rank=1,
        matched=True,
        verification_code="ABCD2345EFGH",
        team_name=scored["ours"].team.name,
        solution_title=scored["ours"].title,
        scenario_title=scored["ours"].scenario.title,
        confirmed_at=timezone.now(),
        confirmed_by=world.organizer,
    )
    body = client.get(reverse("award_list", args=[world.contest.slug])).content.decode()
    assert "我们的方案" in body
    ok = client.get(reverse("certificate_verify"), {"code": "abcd2345efgh"})
    assert ok.context["award"] is not None and 'data-verified="true"' in ok.content.decode()
    bad = client.get(reverse("certificate_verify"), {"code": "NOPE"})
    assert bad.context["award"] is None and 'data-verified="false"' in bad.content.decode()
    empty = client.get(reverse("certificate_verify"), {"code": ""})
    assert 'id="id_code_error"' in empty.content.decode()


def objection_data(world, scored, **overrides):
    data = {
        "solution": scored["theirs"].pk,
        "objector_kind": "individual",
        "real_name": "张三",
        "organization_name": "测试单位",
        "phone": "13800000000",
        "reason": "该方案与公开项目雷同",
    }
    data.update(overrides)
    return data


def test_objection_during_publicity(client, world, scored):
    publication = publish(world)
    client.force_login(world.captain)
    url = reverse("objection_create", args=[publication.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, objection_data(world, scored))
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert objection.raised_by == world.captain and objection.real_name == "张三"


def test_objection_requires_login(client, world, scored):
    publication = publish(world)
    response = client.get(reverse("objection_create", args=[publication.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_objection_individual_without_phone_is_a_field_error(client, world, scored):
    publication = publish(world)
    client.force_login(world.captain)
    response = client.post(reverse("objection_create", args=[publication.pk]), objection_data(world, scored, phone=""))
    assert response.status_code == 400
    assert 'id="id_phone_error"' in response.content.decode()
    assert not Objection.objects.exists()


def test_organization_objection_needs_sealed_letter(client, world, scored):
    publication = publish(world)
    client.force_login(world.captain)
    url = reverse("objection_create", args=[publication.pk])
    response = client.post(url, objection_data(world, scored, objector_kind="organization"))
    assert response.status_code == 400 and not Objection.objects.exists()
    letter = SimpleUploadedFile("letter.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = client.post(
        url, {**objection_data(world, scored, objector_kind="organization"), "sealed_letter": letter}
    )
    assert response.status_code == 302, response.content.decode()[:1500]


def test_objection_after_publicity_is_refused(client, world, scored):
    start = timezone.now() - dt.timedelta(days=10)
    publication = publish(world, publicity_starts_at=start, publicity_ends_at=start + dt.timedelta(days=5))
    client.force_login(world.captain)
    url = reverse("objection_create", args=[publication.pk])
    assert 'name="reason"' not in client.get(url).content.decode()
    response = client.post(url, objection_data(world, scored))
    assert response.status_code == 400
    assert not Objection.objects.exists()


def test_results_page_query_count_does_not_grow_with_rows(client, world, scored, django_assert_max_num_queries):
    publish(world)
    url = reverse("results", args=[world.contest.slug])
    with django_assert_max_num_queries(20) as ctx:
        client.get(url)
    baseline = len(ctx.captured_queries)
    world.round2.publications.update(
        table=[dict(world.round2.publications.get().table[0], solution_id=1000 + i, rank=i) for i in range(1, 40)]
    )
    with django_assert_max_num_queries(baseline):
        client.get(url)
