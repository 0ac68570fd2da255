"""The outbox. Other apps call `notify` (one recipient) or `notify_many` (fan-out) inside the
transaction of the event that causes the notice.

The rows are written in the caller's transaction (a rollback leaves none); sending is enqueued
on commit, in tasks of at most `NOTIFICATIONS_BATCH_SIZE` ids and never more than
`NOTIFICATIONS_MAX_FANOUT_TASKS` tasks per commit. `dedup_key` must be unique per (event,
recipient): the same key never produces a second notice (one row per channel, the channel is
appended to the key).

Public interface
----------------
notify(*, kind, dedup_key, context, recipient=None, email="", language=None, link="",
       channels=(Channel.IN_APP, Channel.EMAIL)) -> list[Notification]
    One recipient: a user, or a bare e-mail address (e.g. an invitee without an account; such a
    notice has no in-app row). Returns the rows created now (empty if the key was seen before).

notify_many(*, kind, notices: Iterable[NoticeSpec], channels=(Channel.IN_APP, Channel.EMAIL),
            link="") -> int
    Fan-out: one `NoticeSpec(recipient, dedup_key, context, email="", language=None, link="")`
    per recipient, each with its own context (e.g. the team's rank). Rows are bulk-inserted
    (existing keys are skipped), and the e-mail rows are enqueued on commit in at most
    `NOTIFICATIONS_MAX_FANOUT_TASKS` (100) tasks: 10,000 recipients → 100 tasks of 100 ids.
    Returns the number of rows created.

    Example (round results)::

        notify_many(kind="round_results", notices=[
            NoticeSpec(recipient=member, dedup_key=f"round_results:{pub.id}:{member.id}",
                       context={"round_name": ..., "rank": 3, "advanced": True, ...})
            for member in members
        ])

batched()
    Context manager: `notify` calls inside it enqueue their e-mail rows together when the block
    ends (on commit), with the same task limits as `notify_many`.

Templates: `notifications/<kind>/<language>/{subject,body}.txt` (per-language files), falling
back to `notifications/<kind>/{subject,body}.txt` rendered with the language activated. Plain
text, no HTML escaping. Besides the caller's context every template sees `site_url` and
`link_url` (the absolute form of `link`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import math
import threading
import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.db import connections, router, transaction
from django.template import Context, Engine, TemplateDoesNotExist, engines
from django.utils import timezone, translation

from .errors import NotRecipientError
from .models import Channel, Notification

logger = logging.getLogger(__name__)

DEFAULT_CHANNELS = (Channel.IN_APP, Channel.EMAIL)


@dataclass(frozen=True)
class NoticeSpec:
    """One recipient of a fan-out: a user, or a bare e-mail address with `recipient=None`."""

    recipient: object | None
    dedup_key: str
    context: dict = field(default_factory=dict)
    email: str = ""
    language: str | None = None
    link: str = ""


# --- rendering -------------------------------------------------------------------------------


@cache
def _engine() -> Engine:
    """The project's template engine without HTML autoescaping (notices are plain text)."""
    default = engines["django"].engine
    return Engine(
        dirs=default.dirs,
        app_dirs=default.app_dirs,
        autoescape=False,
        libraries=default.libraries,
        builtins=["django.templatetags.i18n"],
    )


def _language(language: str | None) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else settings.LANGUAGE_CODE


def _absolute(link: str) -> str:
    if not link or "://" in link:
        return link
    return settings.SITE_URL.rstrip("/") + "/" + link.lstrip("/")


def _template(kind: str, language: str, part: str):
    engine = _engine()
    try:
        return engine.get_template(f"notifications/{kind}/{language}/{part}.txt")
    except TemplateDoesNotExist:
        return engine.get_template(f"notifications/{kind}/{part}.txt")


def render_notice(*, kind: str, language: str, context: dict, link: str = "") -> tuple[str, str]:
    """Render (subject, body) of a notice in `language`. Raises TemplateDoesNotExist for unknown kinds."""
    language = _language(language)
    full = {"site_url": settings.SITE_URL, "link_url": _absolute(link), **context}
    with translation.override(language):
        subject = _template(kind, language, "subject").render(Context(full, autoescape=False))
        body = _template(kind, language, "body").render(Context(full, autoescape=False))
    # A subject is one line; templates may wrap for readability.
    subject = " ".join(subject.split())
    return subject[:300], body.strip() + "\n"


# --- enqueueing --------------------------------------------------------------------------------


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    size = max(settings.NOTIFICATIONS_BATCH_SIZE, math.ceil(len(ids) / settings.NOTIFICATIONS_MAX_FANOUT_TASKS))
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def enqueue_send(notification_ids: list[int]) -> int:
    """Enqueue send tasks for e-mail rows, in batches. Returns the number of tasks enqueued.

    Call only after commit (through `transaction.on_commit`). A broker that cannot be reached is
    logged, not raised: the rows are committed and the sweep enqueues them again later.
    """
    # kombu is loaded only by the code that talks to the broker; tasks import this module (a cycle).
    from kombu.exceptions import OperationalError as BrokerError

    from .tasks import send_notifications_task

    tasks = 0
    for chunk in _chunks(sorted(set(notification_ids))):
        try:
            send_notifications_task.apply_async(kwargs={"notification_ids": chunk})
        except (BrokerError, ConnectionError) as exc:
            logger.warning("Broker unavailable, %d notices left for the sweep: %s", len(chunk), exc)
            continue
        tasks += 1
    return tasks


_batch_state = threading.local()


def _enqueue_on_commit(ids: list[int]) -> None:
    if not ids:
        return
    pending = getattr(_batch_state, "pending", None)
    if pending is not None:
        pending.extend(ids)
        return
    ids = list(ids)
    transaction.on_commit(lambda: enqueue_send(ids))


@contextlib.contextmanager
def batched() -> Iterator[None]:
    """Collect the e-mail rows of every `notify` call in the block and enqueue them together.

    Use it around a loop of `notify` calls inside a transaction; the sending is still enqueued
    only on commit (or right away in autocommit mode), in batches (see `enqueue_send`).
    """
    outer = getattr(_batch_state, "pending", None)
    if outer is not None:  # nested: the outermost block enqueues
        yield
        return
    _batch_state.pending = []
    try:
        yield
        ids = _batch_state.pending
    finally:
        _batch_state.pending = None
    _enqueue_on_commit(ids)


# --- creating notices --------------------------------------------------------------------------


def _rows_for(*, kind: str, spec: NoticeSpec, channels: Iterable[str], link: str) -> list[Notification]:
    recipient = spec.recipient
    language = _language(spec.language or getattr(recipient, "preferred_language", None))
    link = spec.link or link
    subject, body = render_notice(kind=kind, language=language, context=spec.context, link=link)
    # A user's own address is mailed only once proven (an explicit `email` is the addressee).
    address = spec.email or (recipient.email if getattr(recipient, "has_verified_email", False) else "")
    now = timezone.now()
    rows = []
    for channel in channels:
        if channel == Channel.IN_APP and recipient is None:
            continue
        if channel == Channel.EMAIL and not address:
            continue
        rows.append(
            Notification(
                recipient=recipient,
                email=address,
                kind=kind,
                language=language,
                channel=channel,
                subject=subject,
                body=body,
                link=link,
                dedup_key=f"{spec.dedup_key}:{channel}"[:200],
                # An in-app notice is delivered by being written.
                sent_at=now if channel == Channel.IN_APP else None,
            )
        )
    return rows


# Every column but the key, in the order the INSERT names them; tests/notifications/
# test_insert_new_notices.py checks that it is every concrete field of the model.
_NOTICE_COLUMNS = (
    "recipient_id",
    "email",
    "kind",
    "language",
    "channel",
    "subject",
    "body",
    "link",
    "dedup_key",
    "created_at",
    "sent_at",
    "read_at",
    "attempts",
    "last_error",
    "last_enqueued_at",
)


def insert_new_notices(rows: list[Notification]) -> list[Notification]:
    """Insert the rows whose `dedup_key` is new, in one statement; return those rows, saved.

    `INSERT … ON CONFLICT (dedup_key) DO NOTHING RETURNING id, dedup_key`: a key seen before,
    repeated in `rows`, or written meanwhile by a concurrent transaction is skipped by the
    database, and the new rows' ids come back with their keys. Django's
    `bulk_create(ignore_conflicts=True)` returns no ids, so it cannot tell which rows were new.
    Sends no model signals (Notification has no receivers). Values are prepared by each field
    (`get_db_prep_save`), `created_at` is set as `auto_now_add` would.
    """
    if not rows:
        return []
    using = router.db_for_write(Notification)
    connection = connections[using]
    fields = [Notification._meta.get_field(column) for column in _NOTICE_COLUMNS]
    now = timezone.now()
    values = []
    for row in rows:
        if row.created_at is None:
            row.created_at = now
        values += [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields]
    placeholders = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(rows))
    sql = (
        f"INSERT INTO notifications_notification ({', '.join(_NOTICE_COLUMNS)}) VALUES {placeholders} "  # noqa: S608  # nosec B608
        "ON CONFLICT (dedup_key) DO NOTHING RETURNING id, dedup_key"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        returned = cursor.fetchall()
    pending: dict[str, Notification] = {}
    for row in rows:
        pending.setdefault(row.dedup_key, row)
    inserted = []
    for pk, key in returned:
        row = pending[key]
        row.pk = pk
        row._state.adding, row._state.db = False, using  # as Model.from_db marks a stored row
        inserted.append(row)
    return inserted


def notify(
    *,
    kind: str,
    dedup_key: str,
    context: dict,
    recipient=None,
    email: str = "",
    language: str | None = None,
    link: str = "",
    channels: Iterable[str] = DEFAULT_CHANNELS,
) -> list[Notification]:
    """Create one notice per channel for one recipient (a user, or a bare e-mail address).

    Call inside the transaction of the event. Side effects: Notification rows in the current
    transaction; one send task for the e-mail row enqueued on commit (or together with the
    others inside `batched()`). Idempotent on `dedup_key`: a key seen before creates nothing.
    """
    spec = NoticeSpec(recipient=recipient, dedup_key=dedup_key, context=context, email=email, language=language)
    rows = _rows_for(kind=kind, spec=spec, channels=channels, link=link)
    created = insert_new_notices(rows)
    _enqueue_on_commit([n.id for n in created if n.channel == Channel.EMAIL])
    return created


def notify_many(
    *,
    kind: str,
    notices: Iterable[NoticeSpec],
    channels: Iterable[str] = DEFAULT_CHANNELS,
    link: str = "",
) -> int:
    """Fan a notice out to many recipients, each with its own context and de-duplication key.

    Call inside the transaction of the event. Side effects: bulk-inserted Notification rows
    (keys seen before are skipped); the new e-mail rows are enqueued on commit in at most
    `NOTIFICATIONS_MAX_FANOUT_TASKS` tasks. Idempotent on each `dedup_key`. Returns the number
    of rows created.
    """
    channels = tuple(channels)
    rows = [row for spec in notices for row in _rows_for(kind=kind, spec=spec, channels=channels, link=link)]
    created = 0
    email_ids: list[int] = []
    for start in range(0, len(rows), 1000):
        # One INSERT … ON CONFLICT DO NOTHING: keys seen before, or written by a concurrent
        # transaction meanwhile, are skipped by the database, and the new rows' ids come back.
        inserted = insert_new_notices(rows[start : start + 1000])
        created += len(inserted)
        email_ids += [row.pk for row in inserted if row.channel == Channel.EMAIL]
    _enqueue_on_commit(email_ids)
    return created


# --- the notification centre -----------------------------------------------------------------


def notification_mark_read(*, user, notification: Notification) -> Notification:
    """Mark one of the user's own in-app notices read. Idempotent: a read notice keeps its time."""
    if notification.recipient_id != user.pk:
        raise NotRecipientError()
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notification_mark_all_read(*, user) -> int:
    """Mark every unread in-app notice of the user read. Returns how many changed."""
    return Notification.objects.filter(recipient=user, channel=Channel.IN_APP, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def local_time(moment: dt.datetime, tz_name: str) -> str:
    """A time as a notice shows it: to the minute, in the contest's time zone (`tz_name`)."""
    try:
        tz = zoneinfo.ZoneInfo(tz_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = timezone.get_default_timezone()
    return timezone.localtime(moment, tz).strftime("%Y-%m-%d %H:%M")
