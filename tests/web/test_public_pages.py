import pytest
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def test_home_shows_current_contest_with_counts_tracks_and_rounds(client, world):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert world.contest.name in body
    assert "数字金融" in body and "上海银行股份有限公司" in body
    assert "资格审查" in body and "初赛" in body
    # published + withdrawn are public; the draft is not counted
    assert response.context["counts"]["scenarios"] == 3
    assert response.context["counts"]["teams"] == 2


def test_home_without_contest_renders_empty_state(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 200


def test_catalogue_lists_public_scenarios_only(client, world):
    response = client.get(reverse("scenario_list", args=[world.contest.slug]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "供应链金融场景服务" in body and "已撤榜场景" in body
    assert "草稿场景" not in body


def test_catalogue_hides_drafts_even_from_their_publisher(client, world):
    client.force_login(world.publisher)
    response = client.get(reverse("scenario_list", args=[world.contest.slug]))
    assert "草稿场景" not in response.content.decode()


@pytest.mark.parametrize(
    "params, expected, absent",
    [
        ({"q": "金融"}, ["供应链金融场景服务"], ["发电机组预测性维护"]),
        ({"track": "mfg"}, ["发电机组预测性维护"], ["供应链金融场景服务"]),
        ({"publisher": "bank"}, ["供应链金融场景服务"], ["发电机组预测性维护"]),
        ({"reward_min": "290"}, ["供应链金融场景服务"], ["发电机组预测性维护"]),
        ({"reward_max": "290"}, ["发电机组预测性维护"], ["供应链金融场景服务"]),
    ],
)
def test_catalogue_filters(client, world, params, expected, absent):
    resolved = {}
    for key, value in params.items():
        if key in ("track", "publisher"):
            value = getattr(world, value).pk
        resolved[key] = value
    response = client.get(reverse("scenario_list", args=[world.contest.slug]), resolved)
    body = response.content.decode()
    for title in expected:
        assert title in body
    for title in absent:
        assert title not in body


def test_catalogue_reward_range_error_shown_next_to_field(client, world):
    response = client.get(reverse("scenario_list", args=[world.contest.slug]), {"reward_min": "300", "reward_max": "1"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_reward_max_error"' in body
    assert 'aria-invalid="true"' in body


def test_catalogue_query_count_is_constant(client, world, django_assert_max_num_queries):
    from tests.factories.contest import ScenarioFactory

    url = reverse("scenario_list", args=[world.contest.slug])
    with django_assert_max_num_queries(12) as ctx:
        client.get(url)
    before = len(ctx.captured_queries)
    for _ in range(5):
        ScenarioFactory(track=world.fin, publisher=world.bank)
    with django_assert_max_num_queries(before):
        client.get(url)


@pytest.mark.parametrize(
    "scenario, user, status",
    [
        ("s_fin", None, 200),
        ("s_withdrawn", None, 200),
        ("s_draft", None, 404),
        ("s_draft", "outsider", 404),
        ("s_draft", "other_publisher", 404),
        ("s_draft", "publisher", 200),
        ("s_draft", "organizer", 200),
    ],
)
def test_scenario_detail_visibility(client, world, scenario, user, status):
    if user:
        client.force_login(getattr(world, user))
    response = client.get(reverse("scenario_detail", args=[getattr(world, scenario).pk]))
    assert response.status_code == status


def test_withdrawn_scenario_shows_reason(client, world):
    response = client.get(reverse("scenario_detail", args=[world.s_withdrawn.pk]))
    assert "需求调整" in response.content.decode()


def test_unknown_contest_is_404(client, world):
    assert client.get(reverse("scenario_list", args=["nope"])).status_code == 404


def test_draft_contest_is_404_for_public(client, world):
    from tests.factories.contest import ContestFactory

    draft = ContestFactory(status="draft")
    assert client.get(reverse("contest_home", args=[draft.slug])).status_code == 404


def test_take_up_button_only_while_submissions_are_open(client, world):
    import datetime as dt

    from django.utils import timezone

    url = reverse("scenario_detail", args=[world.s_fin.pk])
    take_up = reverse("solution_start", args=[world.s_fin.pk])
    assert take_up in client.get(url).content.decode()
    world.round1.submission_deadline = timezone.now() - dt.timedelta(seconds=5)
    world.round1.save()
    assert take_up not in client.get(url).content.decode()


def test_scenario_page_links_to_the_teams_own_solution(client, world):
    from tests.factories.submissions import SolutionFactory

    solution = SolutionFactory(team=world.team, scenario=world.s_fin)
    client.force_login(world.captain)
    body = client.get(reverse("scenario_detail", args=[world.s_fin.pk])).content.decode()
    assert reverse("solution_detail", args=[solution.pk]) in body
