import datetime as dt
import hashlib
import json

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from contest.enums import Role, RoundStatus
from judging.results.errors import AlreadyPublishedError, PublicityWindowInvalidError, ResultsNotAggregatedError
from judging.results.models import Publication, RoundResult
from judging.results.services.aggregation import results_aggregate
from judging.results.services.publication import publication_publish, publication_verify, table_digest
from judging.results.tasks import publish_due_rounds_task
from notifications.models import Notification
from tests.factories.contest import ContestRoleFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


@pytest.fixture
def scored_round(builder):
    b = builder(aggregation_method="trimmed_mean", advancement_kind="top_n", advancement_value=1)
    b.first = b.scored([92, 85, 88, 70, 95])
    b.second = b.scored([80, 80, 80])
    b.short = b.scored([50])
    results_aggregate(round_=b.round)
    return b


def test_aggregation_while_judging_is_open_is_a_preview(scored_round):
    scored_round.round.refresh_from_db()
    assert scored_round.round.status == RoundStatus.JUDGING


def test_publication_fixes_table_and_digest(scored_round, organizer):
    b = scored_round

    pub = publication_publish(round_=b.round, actor=organizer)

    assert [(r["rank"], r["solution_id"], r["score"]) for r in pub.table] == [
        (1, b.first.pk, "88.33"),
        (2, b.second.pk, "80.00"),
    ]
    assert pub.table[0]["team"] == b.first.team.name and pub.table[0]["scenario"] == b.scenario.title
    canonical = json.dumps(pub.table, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert pub.digest == hashlib.sha256(canonical.encode()).hexdigest()
    assert publication_verify(publication=pub) == {
        "digest": pub.digest,
        "stored_table_ok": True,
        "current_results_ok": True,
    }
    b.round.refresh_from_db()
    assert b.round.status == RoundStatus.PUBLISHED


def test_publicity_window_defaults_and_explicit(scored_round, organizer):
    start = timezone.now() + dt.timedelta(hours=1)
    end = start + dt.timedelta(days=4, hours=8)

    pub = publication_publish(
        round_=scored_round.round, actor=organizer, publicity_starts_at=start, publicity_ends_at=end
    )

    assert (pub.publicity_starts_at, pub.publicity_ends_at) == (start, end)


def test_publicity_window_default_is_round_publicity_days(scored_round, organizer):
    pub = publication_publish(round_=scored_round.round, actor=organizer)

    assert pub.publicity_ends_at - pub.publicity_starts_at == dt.timedelta(days=scored_round.round.publicity_days)


def test_publish_refuses_bad_window_twice_and_unaggregated(scored_round, builder, organizer):
    now = timezone.now()
    with pytest.raises(PublicityWindowInvalidError):
        publication_publish(round_=scored_round.round, actor=organizer, publicity_starts_at=now, publicity_ends_at=now)
    publication_publish(round_=scored_round.round, actor=organizer)
    with pytest.raises(AlreadyPublishedError):
        publication_publish(round_=scored_round.round, actor=organizer)
    with pytest.raises(ResultsNotAggregatedError):
        publication_publish(round_=builder().round, actor=organizer)


def test_verify_publication_command_detects_tampering(scored_round, organizer, capsys):
    pub = publication_publish(round_=scored_round.round, actor=organizer)

    call_command("verify_publication", str(scored_round.round.pk))
    assert "all digests verified" in capsys.readouterr().out

    RoundResult.objects.filter(round=scored_round.round, solution=scored_round.second).update(score="81.00")
    with pytest.raises(CommandError, match="digest mismatch"):
        call_command("verify_publication", str(scored_round.round.pk))

    Publication.objects.filter(pk=pub.pk).update(table=[{"rank": 1, "team": "篡改"}])
    assert publication_verify(publication=Publication.objects.get(pk=pub.pk))["stored_table_ok"] is False


def test_verify_publication_command_unknown_round():
    with pytest.raises(CommandError):
        call_command("verify_publication", "999999")


def test_no_notice_before_publication_and_one_per_member_after(
    scored_round, organizer, django_capture_on_commit_callbacks
):
    assert not Notification.objects.filter(kind="round_results").exists()

    with django_capture_on_commit_callbacks(execute=True):
        pub = publication_publish(round_=scored_round.round, actor=organizer)

    notices = Notification.objects.filter(kind="round_results", channel="in_app")
    assert {n.recipient_id for n in notices} == {
        scored_round.first.team.captain_id,
        scored_round.second.team.captain_id,
        scored_round.short.team.captain_id,
    }
    first_notice = notices.get(recipient=scored_round.first.team.captain)
    assert "1" in first_notice.body
    assert Notification.objects.filter(dedup_key__startswith=f"round_results:{pub.pk}:").count() == 6


def test_notices_roll_back_with_the_publication(scored_round, organizer, django_capture_on_commit_callbacks):
    class Abort(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Abort), transaction.atomic():
        publication_publish(round_=scored_round.round, actor=organizer)
        assert Notification.objects.filter(kind="round_results").exists()  # written in the transaction
        raise Abort

    assert callbacks == []
    assert not Publication.objects.filter(round=scored_round.round).exists()
    assert not Notification.objects.filter(kind="round_results").exists()


def test_broker_down_at_commit_delays_but_does_not_lose_notices(
    scored_round, organizer, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError as BrokerError

    from notifications import tasks as notification_tasks

    def broker_down(*args, **kwargs):
        raise BrokerError("connection refused")

    from judging.results import tasks as judging_tasks

    # Every enqueue fails, whichever task it is.
    for task in (notification_tasks.send_notifications_task, judging_tasks.notify_round_results_task):
        monkeypatch.setattr(task, "apply_async", broker_down)
        monkeypatch.setattr(task, "delay", broker_down)

    with django_capture_on_commit_callbacks(execute=True):
        pub = publication_publish(round_=scored_round.round, actor=organizer)  # no error for the organizer

    assert Notification.objects.filter(dedup_key__startswith=f"round_results:{pub.pk}:").count() == 6
    unsent = Notification.objects.filter(kind="round_results", channel="email", sent_at__isnull=True)
    assert unsent.count() == 3  # left for the sweep
    assert "Broker unavailable" in caplog.text


def test_publication_enqueues_only_batched_send_tasks(
    scored_round, organizer, monkeypatch, django_capture_on_commit_callbacks
):
    # 3 captains + 997 more members of the first team = 1,000 recipients → 10 tasks of 100 e-mail ids.
    from contest.models import User
    from judging.results import tasks as judging_tasks
    from notifications import tasks as notification_tasks
    from submissions.models import TeamMembership

    team = scored_round.first.team
    users = User.objects.bulk_create(
        [
            User(username=f"member-{i}", email=f"member-{i}@example.com", verified_email=f"member-{i}@example.com")
            for i in range(997)
        ]
    )
    TeamMembership.objects.bulk_create([TeamMembership(team=team, contest=team.contest, user=u) for u in users])
    sends, creates = [], []
    monkeypatch.setattr(
        notification_tasks.send_notifications_task, "apply_async", lambda *a, **kw: sends.append(kw["kwargs"])
    )
    monkeypatch.setattr(judging_tasks.notify_round_results_task, "delay", lambda **kw: creates.append(kw))
    monkeypatch.setattr(judging_tasks.notify_round_results_task, "apply_async", lambda *a, **kw: creates.append(kw))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        pub = publication_publish(round_=scored_round.round, actor=organizer)

    assert (
        Notification.objects.filter(dedup_key__startswith=f"round_results:{pub.pk}:", channel="email").count() == 1000
    )
    assert creates == []  # the notices are not created in a later task
    from contest.audit import schedule_chaining

    assert [c for c in callbacks if c is not schedule_chaining] == callbacks[-1:]  # one notice enqueue
    assert len(sends) == 10
    assert sorted(len(s["notification_ids"]) for s in sends) == [100] * 10


@pytest.mark.parametrize("recipients", [10_000, 30_000])
def test_ten_thousand_teams_make_at_most_one_hundred_tasks(recipients):
    from notifications.services import _chunks

    chunks = list(_chunks(list(range(recipients))))
    assert len(chunks) <= 100
    assert sum(len(c) for c in chunks) == recipients


def test_scheduled_publication(scored_round):
    b = scored_round
    b.round.publish_at = timezone.now() + dt.timedelta(hours=2)
    b.round.judging_closes_at = timezone.now() - dt.timedelta(minutes=1)
    b.round.save(update_fields=["publish_at", "judging_closes_at"])
    results_aggregate(round_=b.round)  # judging closed: the round moves on to aggregated

    assert publish_due_rounds_task() == []
    assert not Publication.objects.filter(round=b.round).exists()

    with time_machine.travel(timezone.now() + dt.timedelta(hours=3)):
        assert publish_due_rounds_task() == [b.round.pk]
        assert publish_due_rounds_task() == []  # once only
    assert Publication.objects.get(round=b.round).published_by is None


def test_table_digest_is_canonical():
    assert table_digest([{"b": 1, "a": "中"}]) == table_digest([{"a": "中", "b": 1}])


# --- visibility ----------------------------------------------------------------------------------


def _viewers(b):
    publisher = UserFactory()
    ContestRoleFactory(user=publisher, contest=b.contest, role=Role.PUBLISHER, organization=b.scenario.publisher)
    judge = b.judge("j0")
    host = UserFactory(organization=b.track.host)
    organizer = UserFactory()
    ContestRoleFactory(user=organizer, contest=b.contest, role=Role.ORGANIZER)
    return {
        "anonymous": None,
        "team": b.first.team.captain,
        "judge": judge,
        "publisher": publisher,
        "track_host": host,
        "stranger": UserFactory(organization=OrganizationFactory()),
        "organizer": organizer,
    }


@pytest.mark.parametrize("viewer", ["anonymous", "team", "judge", "publisher", "track_host", "stranger", "organizer"])
def test_results_hidden_until_published(scored_round, api_client, viewer):
    b = scored_round
    user = _viewers(b)[viewer]
    if user is not None:
        api_client.force_authenticate(user)
    urls = [
        f"/api/v1/rounds/{b.round.pk}/leaderboard/",
        f"/api/v1/rounds/{b.round.pk}/publications/",
        f"/api/v1/rounds/{b.round.pk}/my-feedback/",
    ]
    for url in urls:
        response = api_client.get(url)
        assert response.status_code in (401, 403, 404), (url, response.status_code)
        assert "88.33" not in response.content.decode()
    table = api_client.get(f"/api/v1/rounds/{b.round.pk}/results/")
    if viewer == "organizer":
        assert table.status_code == 200 and table.json()[0]["score"] == "88.33"
    else:
        assert table.status_code in (401, 403, 404)


def test_leaderboard_after_publication_shows_no_judge_data(scored_round, api_client, organizer):
    b = scored_round
    publication_publish(round_=b.round, actor=organizer)

    response = api_client.get(f"/api/v1/rounds/{b.round.pk}/leaderboard/", {"track": b.track.pk})

    assert response.status_code == 200
    body = response.json()
    assert [(r["rank"], r["team"], r["scenario"], r["score"]) for r in body["rows"]] == [
        (1, b.first.team.name, b.scenario.title, "88.33"),
        (2, b.second.team.name, b.scenario.title, "80.00"),
    ]
    text = response.content.decode()
    for judge in b.judges.values():
        assert judge.full_name not in text and judge.username not in text
    assert set(body["rows"][0]) == {
        "group",
        "rank",
        "solution_id",
        "team",
        "scenario",
        "track",
        "score",
        "advanced",
        "objection_pending",
    }
    other = api_client.get(f"/api/v1/rounds/{b.round.pk}/leaderboard/", {"track": b.track.pk + 999})
    assert other.json()["rows"] == []


def test_team_feedback_after_publication_is_anonymised(scored_round, api_client, organizer):
    b = scored_round
    from judging.models import Review

    Review.objects.filter(solution=b.first).update(team_comment="创新性突出")
    publication_publish(round_=b.round, actor=organizer)
    api_client.force_authenticate(b.first.team.captain)

    response = api_client.get(f"/api/v1/rounds/{b.round.pk}/my-feedback/")

    assert response.status_code == 200
    [mine] = response.json()
    assert mine["solution_id"] == b.first.pk and mine["score"] == "88.33" and mine["rank"] == 1
    assert mine["criterion_means"] == [{"criterion": "总分", "max_score": "100.00", "mean": "86.00"}]
    assert [c["judge"] for c in mine["comments"]] == ["评委 1", "评委 2", "评委 3", "评委 4", "评委 5"]
    text = response.content.decode()
    for judge in b.judges.values():
        assert judge.full_name not in text and judge.username not in text


def test_feedback_for_non_member_is_404(scored_round, api_client, organizer):
    publication_publish(round_=scored_round.round, actor=organizer)
    api_client.force_authenticate(UserFactory())

    assert api_client.get(f"/api/v1/rounds/{scored_round.round.pk}/my-feedback/").status_code == 404


def test_publication_verify_endpoint(scored_round, api_client, organizer):
    pub = publication_publish(round_=scored_round.round, actor=organizer)

    response = api_client.get(f"/api/v1/publications/{pub.pk}/verify/")

    assert response.json() == {"digest": pub.digest, "stored_table_ok": True}
    ContestRoleFactory(user=organizer, contest=scored_round.contest, role=Role.ORGANIZER)
    api_client.force_authenticate(organizer)
    response = api_client.get(f"/api/v1/publications/{pub.pk}/verify/")
    assert response.json() == {"digest": pub.digest, "stored_table_ok": True, "current_results_ok": True}
