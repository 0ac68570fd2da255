"""Audit integrity: one event per score, round, publication and award change; no way to change
audit rows through the application; verify_audit notices a direct database edit."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from contest.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def _events_after(last_id):
    return list(AuditEvent.objects.filter(pk__gt=last_id).values_list("action", flat=True))


def _last_id():
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _one_event(response_or_none, last_id):
    events = _events_after(last_id)
    assert len(events) == 1, events
    return events[0]


def test_score_submission_writes_exactly_one_audit_event(world, client_for):
    last = _last_id()
    body = {"scores": [{"criterion": c.pk, "value": "30"} for c in world.rubric.criteria.all()], "comment": "好"}
    response = client_for("judge_assigned").post(
        f"/api/v1/judging/my/assignments/{world.asg_a.pk}/review/submit/", body, format="json"
    )
    assert response.status_code == 200, response.content
    assert _one_event(response, last)


def test_score_draft_save_writes_exactly_one_audit_event(world, client_for):
    last = _last_id()
    body = {"scores": [{"criterion": world.criterion.pk, "value": "30"}]}
    response = client_for("judge_assigned").put(
        f"/api/v1/judging/my/assignments/{world.asg_a.pk}/review/", body, format="json"
    )
    assert response.status_code == 200, response.content
    assert _one_event(response, last)


@pytest.mark.parametrize("action", ["close-judging", "open-judging"])
def test_round_window_change_writes_exactly_one_audit_event(world, client_for, action):
    if action == "open-judging":
        client_for("organizer").post(f"/api/v1/judging/rounds/{world.round2.pk}/close-judging/")
    last = _last_id()
    body = {"closes_at": (timezone.now() + dt.timedelta(days=3)).isoformat()} if action == "open-judging" else None
    response = client_for("organizer").post(f"/api/v1/judging/rounds/{world.round2.pk}/{action}/", body, format="json")
    assert response.status_code == 200, response.content
    assert _one_event(response, last)


def test_round_settings_change_writes_exactly_one_audit_event(world, client_for):
    last = _last_id()
    url = f"/api/v1/rounds/{world.round1.pk}/"
    response = client_for("organizer").patch(url, {"name": "资格审查（改）"}, format="json")
    assert response.status_code == 200, response.content
    assert _one_event(response, last)


def test_publication_writes_exactly_one_audit_event(world, client_for):
    last = _last_id()
    response = client_for("organizer").post(f"/api/v1/rounds/{world.round2.pk}/publish/", {}, format="json")
    assert response.status_code == 201, response.content
    assert _one_event(response, last) == "results.publish"


def test_award_confirmation_writes_exactly_one_audit_event(world, client_for):
    organizer = client_for("organizer")
    past = timezone.now() - dt.timedelta(days=10)
    organizer.post(
        f"/api/v1/rounds/{world.round2.pk}/publish/",
        {"publicity_starts_at": past.isoformat(), "publicity_ends_at": (past + dt.timedelta(days=5)).isoformat()},
        format="json",
    )
    # The world's contest already has an award (and awards are confirmed only once): start bare.
    from judging.results.models import Award

    Award.objects.filter(contest=world.contest).delete()
    last = _last_id()
    response = organizer.post(f"/api/v1/contests/{world.contest.pk}/awards/confirm/", {}, format="json")
    assert response.status_code == 200, response.content
    assert _one_event(response, last)


def test_award_revocation_and_reissue_write_one_audit_event_each(world, client_for):
    organizer = client_for("organizer")
    last = _last_id()
    response = organizer.post(f"/api/v1/awards/{world.award.pk}/revoke/", {"reason": "复核"}, format="json")
    assert response.status_code == 200, response.content
    assert _one_event(response, last)
    last = _last_id()
    response = organizer.post(
        f"/api/v1/awards/{world.award.pk}/reissue/", {"level": "second", "reason": "复核"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert _one_event(response, last)


def test_refused_requests_write_no_audit_event(world, client_for):
    last = _last_id()
    client_for("captain_a").post(f"/api/v1/judging/rounds/{world.round2.pk}/close-judging/")
    client_for("organizer_other").post(f"/api/v1/rounds/{world.round2.pk}/publish/", {}, format="json")
    client_for("judge_unassigned").post(
        f"/api/v1/judging/my/assignments/{world.asg_a.pk}/review/submit/", {"scores": []}, format="json"
    )
    assert _events_after(last) == []


def test_the_api_has_no_audit_write_endpoint():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, item in schema["paths"].items():
        for method in ("post", "put", "patch", "delete"):
            if method in item:
                assert "audit" not in path.lower(), path
                tags = " ".join(item[method].get("tags", [])).lower()
                assert "audit" not in tags, path


def test_audit_admin_allows_no_change(admin_client, world):
    from django.urls import reverse

    event = AuditEvent.objects.order_by("id").last()
    before = (event.action, event.hash, event.after)
    assert admin_client.get(reverse("admin:contest_auditevent_add")).status_code == 403
    admin_client.post(reverse("admin:contest_auditevent_change", args=[event.pk]), {"action": "forged"})
    admin_client.post(reverse("admin:contest_auditevent_delete", args=[event.pk]), {"post": "yes"})
    admin_client.post(
        reverse("admin:contest_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    event.refresh_from_db()
    assert (event.action, event.hash, event.after) == before


def test_verify_audit_passes_on_the_world_and_detects_a_raw_sql_edit(world):
    call_command("verify_audit")
    event = AuditEvent.objects.filter(action="results.publish").get()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET object_id = %s WHERE id = %s",  # noqa: S608 - model table
            ["999999", event.pk],
        )
    with pytest.raises(CommandError, match="audit chain broken"):
        call_command("verify_audit")


def test_verify_audit_detects_a_deleted_event(world):
    call_command("verify_audit")  # chains the world's events (a test transaction never commits)
    event = AuditEvent.objects.order_by("id")[1]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [event.pk])  # noqa: S608
    with pytest.raises(CommandError, match="audit chain broken"):
        call_command("verify_audit")
