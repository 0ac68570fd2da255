import pytest
from django.core import mail
from django.db import transaction

from notifications.models import Channel, Notification
from notifications.services import NoticeSpec, _chunks, batched, notify, notify_many
from tests.factories.contest import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

RECEIPT = {
    "solution_title": "智慧港口调度方案",
    "scenario_title": "集装箱码头智能调度",
    "team_name": "揭榜队1",
    "receipt_code": "R-20210801-0001",
    "version_number": 2,
    "sha256": "9f" * 32,
    "submitted_at": "2021-08-01 10:00",
}


def test_notify_creates_in_app_and_email_rows_in_the_recipients_language(zh_user, en_user):
    zh = notify(kind="submission_receipt", recipient=zh_user, context=RECEIPT, dedup_key="r:1:zh")
    en = notify(kind="submission_receipt", recipient=en_user, context=RECEIPT, dedup_key="r:1:en")

    assert sorted(n.channel for n in zh) == [Channel.EMAIL, Channel.IN_APP]
    assert {n.language for n in zh} == {"zh-hans"}
    assert {n.language for n in en} == {"en"}
    assert zh[0].subject == "提交回执 R-20210801-0001：智慧港口调度方案"
    assert en[0].subject == "Submission receipt R-20210801-0001: 智慧港口调度方案"
    assert "SHA-256：" + "9f" * 32 in zh[0].body
    assert "SHA-256:      " + "9f" * 32 in en[0].body
    assert {n.email for n in zh} == {zh_user.email}


def test_notify_in_app_row_is_delivered_on_creation_and_email_row_waits(zh_user):
    rows = {n.channel: n for n in notify(kind="member_joined", recipient=zh_user, context={}, dedup_key="m:1")}
    assert rows[Channel.IN_APP].sent_at is not None
    assert rows[Channel.EMAIL].sent_at is None


def test_notify_same_dedup_key_creates_nothing_and_enqueues_nothing(zh_user, django_capture_on_commit_callbacks):
    notify(kind="member_joined", recipient=zh_user, context={"team_name": "甲"}, dedup_key="m:2")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = notify(kind="member_joined", recipient=zh_user, context={"team_name": "乙"}, dedup_key="m:2")

    assert again == []
    assert callbacks == []
    assert Notification.objects.filter(dedup_key__startswith="m:2:").count() == 2


def test_notify_sends_email_only_after_commit(zh_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(kind="member_joined", recipient=zh_user, context={"team_name": "甲"}, dedup_key="m:3")
    assert mail.outbox == []
    assert len(callbacks) == 1

    callbacks[0]()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [zh_user.email]
    assert Notification.objects.get(dedup_key="m:3:email").sent_at is not None


def test_rolled_back_transaction_leaves_no_notice_and_enqueues_nothing(zh_user, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(kind="member_joined", recipient=zh_user, context={}, dedup_key="m:4")
        raise RuntimeError("the event failed")

    assert callbacks == []
    assert not Notification.objects.filter(dedup_key__startswith="m:4").exists()
    assert mail.outbox == []


def test_notify_bare_email_has_no_in_app_row(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(
            kind="team_invitation",
            email="invitee@example.com",
            language="en",
            context={"team_name": "揭榜队1", "accept_url": "http://testserver/invitations/abc/"},
            dedup_key="inv:1",
        )
    assert [n.channel for n in rows] == [Channel.EMAIL]
    assert mail.outbox[0].to == ["invitee@example.com"]
    assert "http://testserver/invitations/abc/" in mail.outbox[0].body


def test_notify_user_without_email_gets_in_app_only():
    user = UserFactory(email="")
    rows = notify(kind="member_joined", recipient=user, context={}, dedup_key="m:5")
    assert [n.channel for n in rows] == [Channel.IN_APP]


def test_notify_renders_plain_text_without_html_escaping(en_user):
    rows = notify(
        kind="scenario_rejected",
        recipient=en_user,
        context={"scenario_title": "R&D <AI> 平台", "contest_name": "大赛", "reason": "a & b"},
        dedup_key="s:1",
    )
    assert rows[0].subject == "Scenario returned for changes: R&D <AI> 平台"
    assert "Reason: a & b" in rows[0].body


def test_notify_many_creates_rows_and_skips_known_keys(zh_user, en_user, django_capture_on_commit_callbacks):
    specs = [
        NoticeSpec(recipient=user, dedup_key=f"rr:1:{user.pk}", context={"rank": i + 1, "advanced": i == 0})
        for i, user in enumerate([zh_user, en_user])
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_many(kind="round_results", notices=specs) == 4
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert notify_many(kind="round_results", notices=specs) == 0

    assert callbacks == []
    assert len(mail.outbox) == 2
    zh_row = Notification.objects.get(dedup_key=f"rr:1:{zh_user.pk}:in_app")
    assert "排名：第 1 名" in zh_row.body and "晋级" in zh_row.subject


def test_notify_many_with_some_known_keys_sends_only_the_new_rows(
    zh_user, en_user, send_task_runs, django_capture_on_commit_callbacks
):
    """One INSERT … ON CONFLICT DO NOTHING: the known key is skipped by the database, and only the
    new e-mail row's id (returned by the same statement) is enqueued."""
    notify_many(kind="round_results", notices=[NoticeSpec(recipient=zh_user, dedup_key="rr:3:a", context={})])
    specs = [
        NoticeSpec(recipient=zh_user, dedup_key="rr:3:a", context={}),
        NoticeSpec(recipient=en_user, dedup_key="rr:3:b", context={}),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_many(kind="round_results", notices=specs) == 2

    new_email = Notification.objects.get(dedup_key="rr:3:b:email")
    assert send_task_runs[-1] == [new_email.pk]
    assert Notification.objects.filter(dedup_key__startswith="rr:3:").count() == 4


def test_notify_returns_saved_rows_with_their_ids(zh_user):
    rows = notify(kind="member_joined", recipient=zh_user, context={"team_name": "甲"}, dedup_key="m:9")

    assert {n.pk for n in rows} == set(
        Notification.objects.filter(dedup_key__startswith="m:9:").values_list("pk", flat=True)
    )
    assert all(not n._state.adding for n in rows)
    rows[0].read_at = rows[0].created_at
    rows[0].save(update_fields=["read_at"])  # an UPDATE of the row written, not a second INSERT
    assert Notification.objects.filter(dedup_key__startswith="m:9:").count() == 2


def test_notify_many_enqueues_at_most_the_task_limit(settings, send_task_runs, django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_BATCH_SIZE = 10
    settings.NOTIFICATIONS_MAX_FANOUT_TASKS = 5
    users = UserFactory.create_batch(120)
    specs = [NoticeSpec(recipient=u, dedup_key=f"rr:2:{u.pk}", context={"rank": 1}) for u in users]

    with django_capture_on_commit_callbacks(execute=True):
        notify_many(kind="round_results", notices=specs, channels=[Channel.EMAIL])

    assert len(send_task_runs) == 5
    assert sum(len(ids) for ids in send_task_runs) == 120
    assert len(mail.outbox) == 120


def test_chunks_ten_thousand_ids_make_one_hundred_tasks():
    assert len(list(_chunks(list(range(10_000))))) == 100
    assert len(list(_chunks(list(range(25_000))))) == 100
    assert len(list(_chunks(list(range(250))))) == 3


def test_batched_notify_calls_share_one_task(send_task_runs, django_capture_on_commit_callbacks):
    users = UserFactory.create_batch(3)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, batched():
        for user in users:
            notify(kind="member_joined", recipient=user, context={}, dedup_key=f"m:6:{user.pk}")

    assert len(callbacks) == 1
    assert [len(ids) for ids in send_task_runs] == [3]


def test_mark_read_refuses_someone_elses_notice(zh_user, en_user):
    from notifications.errors import NotRecipientError
    from notifications.services import notification_mark_read

    notice = notify(kind="member_joined", recipient=zh_user, context={}, dedup_key="m:7")[0]
    with pytest.raises(NotRecipientError):
        notification_mark_read(user=en_user, notification=notice)
    notice.refresh_from_db()
    assert notice.read_at is None
