"""load_demo builds the contest of the demo description, is idempotent and keeps today inside
the submission window (or the 2021 calendar with --original-dates)."""

import datetime as dt
import io

import pytest
from django.apps import apps
from django.core.management import call_command

from contest.clock import now, round_accepts_submissions
from contest.demo import data
from contest.enums import Role, ScenarioStatus
from contest.models import AuditEvent, Contest, ContestRole, Organization, Round, Scenario, Track, User
from contest.validators import is_valid_credit_code
from judging.models import Criterion, Rubric
from tests.factories.audit import chained_and_verified

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def _load(*args):
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def _snapshot():
    """Row count and last update of every model of every app."""
    state = {}
    for model in apps.get_models():
        qs = model.objects.all()
        fields = {f.name for f in model._meta.concrete_fields}
        latest = (
            qs.order_by("-updated_at").values_list("updated_at", flat=True).first() if "updated_at" in fields else None
        )
        state[model._meta.label] = (qs.count(), latest)
    return state


def test_load_demo_twice_changes_nothing():
    _load()
    first = _snapshot()
    events = list(AuditEvent.objects.values_list("id", "hash"))

    output = _load()

    assert _snapshot() == first
    assert list(AuditEvent.objects.values_list("id", "hash")) == events
    assert "0 row(s) created, 0 updated" in output
    assert chained_and_verified().ok


def test_load_demo_builds_the_contest_of_the_description():
    output = _load()

    contest = Contest.objects.get(slug="sh-soe-dx-2021")
    assert contest.name == "2021上海国资国企数字化转型创新大赛"
    assert Organization.objects.count() == len(data.ORGANIZATIONS)
    assert all(is_valid_credit_code(o.credit_code) for o in Organization.objects.all())
    assert Organization.objects.get(short_name="隧道股份").parent.short_name == "上海城投"
    assert contest.organizing.filter(role="organizer").count() == 3
    assert contest.organizing.filter(role="host").count() == 7
    assert list(Track.objects.filter(contest=contest).values_list("name", flat=True)) == [
        "数字底座",
        "数字金融",
        "数字智造",
        "数字城市",
        "数字商贸",
    ]
    assert Track.objects.get(name="数字底座").co_hosts.count() == 2
    published = Scenario.objects.filter(contest=contest, status=ScenarioStatus.PUBLISHED)
    assert published.count() == 20
    bos = published.filter(publisher__short_name="上海银行")
    assert bos.count() == 3
    sc05 = Scenario.objects.get(code="SC-05")
    assert (sc05.reward, sc05.contact_email, sc05.duration_months) == (3000000, "sc05@example.com", 12)
    assert "OpenAPI" in sc05.problem
    assert Scenario.objects.get(code="SC-21").status == ScenarioStatus.DRAFT
    assert Scenario.objects.get(code="SC-22").status == ScenarioStatus.PENDING_REVIEW
    rounds = list(Round.objects.filter(contest=contest).order_by("sequence"))
    assert [(r.sequence, r.kind) for r in rounds] == [(1, "qualification"), (2, "scored"), (3, "scored"), (4, "scored")]
    assert Rubric.objects.filter(round__contest=contest).count() == 3
    for rubric in Rubric.objects.all():
        assert str(rubric.score_step) == "0.50"
        assert sum(c.max_score for c in rubric.criteria.all()) == 100
    assert Criterion.objects.filter(rubric__round__contest=contest).count() == 15
    for username in ("organizer", "publisher_bos", "publisher_se", "captain", "member", "judge1"):
        assert username in output
        assert User.objects.get(username=username).check_password(data.DEMO_PASSWORD)
    assert ContestRole.objects.get(user__username="publisher_bos", role=Role.PUBLISHER).organization.short_name == (
        "上海银行"
    )
    assert ContestRole.objects.filter(contest=contest, role=Role.JUDGE).count() == 7


def test_shifted_calendar_puts_today_in_the_submission_window_and_keeps_the_gaps():
    _load()
    rounds = {r.sequence: r for r in Round.objects.filter(contest__slug="sh-soe-dx-2021")}
    assert round_accepts_submissions(rounds[1], now())
    assert rounds[1].status == "open"
    original = {spec["sequence"]: spec for spec in data.ROUNDS}
    shift = rounds[1].submission_deadline - original[1]["submission_deadline"]
    assert shift.seconds == 0 and shift.microseconds == 0  # whole days: times of day kept
    for seq, round_ in rounds.items():
        assert round_.judging_opens_at - original[seq]["judging_opens_at"] == shift
        assert round_.judging_closes_at - original[seq]["judging_closes_at"] == shift


def test_original_dates_keep_the_2021_calendar():
    _load("--original-dates")
    round1 = Round.objects.get(contest__slug="sh-soe-dx-2021", sequence=1)
    assert round1.submission_deadline == data.at(2021, 6, 20, 23, 59, 59)
    assert round1.submission_deadline.astimezone(data.SHANGHAI).isoformat() == "2021-06-20T23:59:59+08:00"
    assert not round_accepts_submissions(round1, now())
    assert round_accepts_submissions(round1, data.at(2021, 6, 20, 23, 59, 59) + dt.timedelta(microseconds=999_999))
    assert not round_accepts_submissions(round1, data.at(2021, 6, 21))


def test_switching_calendars_moves_every_date_and_back():
    _load()
    shifted = list(
        Round.objects.filter(contest__slug="sh-soe-dx-2021")
        .order_by("sequence")
        .values_list("submission_deadline", "judging_opens_at", "publish_at")
    )
    _load("--original-dates")
    assert Scenario.objects.get(code="SC-01").published_at == data.at(2021, 5, 20, 10)
    _load()
    assert list(
        Round.objects.filter(contest__slug="sh-soe-dx-2021")
        .order_by("sequence")
        .values_list("submission_deadline", "judging_opens_at", "publish_at")
    ) == (shifted)


def test_what_demo_users_did_survives_a_reload():
    _load()
    Scenario.objects.filter(code="SC-22").update(status=ScenarioStatus.PUBLISHED)
    _load()
    assert Scenario.objects.get(code="SC-22").status == ScenarioStatus.PUBLISHED


def test_a_changed_demo_text_is_restored_and_audited():
    _load()
    Scenario.objects.filter(code="SC-05").update(title="被改动的标题")
    output = _load()
    assert Scenario.objects.get(code="SC-05").title == data.SCENARIOS[4]["title"]
    assert "0 row(s) created, 1 updated" in output
    assert AuditEvent.objects.filter(action="demo.load").count() == 2
