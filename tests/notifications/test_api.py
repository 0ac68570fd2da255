import pytest

from notifications.models import Notification
from notifications.services import notify
from tests.factories.contest import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

URL = "/api/v1/notifications/"


def _notices(user, n, prefix="n"):
    for i in range(n):
        notify(
            kind="member_joined",
            recipient=user,
            context={"team_name": f"队{i}", "member_name": "李四"},
            dedup_key=f"{prefix}:{user.pk}:{i}",
        )
    return list(Notification.objects.filter(recipient=user, channel="in_app").order_by("id"))


@pytest.fixture
def me(api_client):
    user = UserFactory(preferred_language="en")
    api_client.force_authenticate(user)
    return user


def test_list_shows_only_my_in_app_notices_newest_first(api_client, me):
    mine = _notices(me, 2)
    _notices(UserFactory(), 1)

    body = api_client.get(URL).json()

    assert [n["id"] for n in body["results"]] == [mine[1].pk, mine[0].pk]
    assert body["results"][0]["subject"] == "李四 joined team 队1"
    assert body["results"][0]["read"] is False


def test_list_unread_filter(api_client, me):
    first, second = _notices(me, 2)
    api_client.post(f"{URL}{first.pk}/read/")
    assert [n["id"] for n in api_client.get(URL, {"unread": "true"}).json()["results"]] == [second.pk]


@pytest.mark.parametrize("rows", [1, 3])
def test_list_query_count_is_constant(api_client, me, rows, django_assert_num_queries):
    _notices(me, rows)
    # count + page; the user comes from force_authenticate
    with django_assert_num_queries(2):
        response = api_client.get(URL)
    assert len(response.json()["results"]) == rows


def test_unread_count_and_mark_read(api_client, me):
    first, _second = _notices(me, 2)
    assert api_client.get(f"{URL}unread-count/").json() == {"unread": 2}

    response = api_client.post(f"{URL}{first.pk}/read/")
    again = api_client.post(f"{URL}{first.pk}/read/")

    assert response.status_code == 200 and response.json()["read"] is True
    assert again.json()["read_at"] == response.json()["read_at"]
    assert api_client.get(f"{URL}unread-count/").json() == {"unread": 1}


def test_mark_all_read(api_client, me):
    _notices(me, 3)
    other = _notices(UserFactory(), 1)[0]

    assert api_client.post(f"{URL}read-all/").json() == {"marked": 3, "unread": 0}
    assert api_client.get(f"{URL}unread-count/").json() == {"unread": 0}
    other.refresh_from_db()
    assert other.read_at is None


@pytest.mark.parametrize("action", ["detail", "read"])
def test_someone_elses_notice_is_not_found(api_client, me, action):
    other = _notices(UserFactory(), 1)[0]
    if action == "detail":
        response = api_client.get(f"{URL}{other.pk}/")
    else:
        response = api_client.post(f"{URL}{other.pk}/read/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    other.refresh_from_db()
    assert other.read_at is None


def test_email_rows_are_not_in_the_centre(api_client, me):
    _notices(me, 1)
    email_row = Notification.objects.get(recipient=me, channel="email")
    assert api_client.get(f"{URL}{email_row.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"), [("get", ""), ("get", "unread-count/"), ("post", "read-all/"), ("post", "1/read/")]
)
def test_anonymous_is_refused(api_client, method, path):
    response = getattr(api_client, method)(f"{URL}{path}")
    assert response.status_code in (401, 403)


def test_non_numeric_id_is_404(api_client, me):
    assert api_client.get(f"{URL}abc/").status_code == 404
