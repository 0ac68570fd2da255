"""Object-level access matrix: every API operation in the OpenAPI schema × every persona.

The operations come from drf-spectacular's generator, so a new endpoint appears here by
itself — and fails `test_every_operation_has_a_policy` until someone reviews it and adds a
row to POLICY. Each case runs every persona against the same seeded world (world.py), each
request inside a savepoint rolled back afterwards, so unsafe methods are tried for every
persona, allowed ones included, from the same starting state.

Outcomes: OK is any 2xx; 401/403/404/409 are exact. A refused unsafe request must change
no row of our apps, and writes exactly one SecurityEvent (the record of the refusal) unless it
was refused for no sign-in, malformed input or an invisible object. Lists are checked row by
row: a persona sees exactly the ids listed in VISIBLE for that list.
"""

import re

import pytest
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator

from contest.models import SecurityEvent
from notifications.models import Notification

from .world import PASSWORD, PERSONAS, db_snapshot, pdf, snapshot_diff, upload

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

OK = "ok"
UNSAFE = {"post", "put", "patch", "delete"}


def schema_operations() -> dict[str, tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    ops = {}
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                ops[op["operationId"]] = (method, path)
    return ops


OPERATIONS = schema_operations()


def row(default, **overrides):
    """One policy row: `default` for every persona not named."""
    unknown = set(overrides) - set(PERSONAS)
    assert not unknown, unknown
    return {p: overrides.get(p, default) for p in PERSONAS}


def pdf_file(name="方案书.pdf"):
    return upload(name, pdf("新版本"), "application/pdf")


# --- what each case sends: path parameters and body (from the world) ------------------------
# key: operation id, or "operation id#variant" for a second target of the same operation.
CASES = {
    "api_root": {},
    "v1_auth_token_create": {"body": lambda w: {"username": w.users["captain_a"].username, "password": PASSWORD}},
    "v1_auth_token_destroy": {},
    "v1_contests_list": {},
    "v1_contests_create": {"body": lambda w: {"name": "新大赛", "slug": "new-contest"}},
    "v1_contests_retrieve": {"params": lambda w: {"id": w.contest.pk}},
    "v1_contests_partial_update": {"params": lambda w: {"id": w.contest.pk}, "body": lambda w: {"theme": "改"}},
    "v1_files_download_retrieve": {"params": lambda w: {"id": w.file_a_final.pk}},
    "v1_files_download_retrieve#draft": {"params": lambda w: {"id": w.file_a_draft.pk}},
    "v1_invitations_accept_create": {"body": lambda w: {"token": w.invitation.token}},
    "v1_judging_assignments_destroy": {"params": lambda w: {"assignment_id": w.asg_a.pk}},
    "v1_judging_criteria_partial_update": {
        "params": lambda w: {"criterion_id": w.criterion.pk},
        "body": lambda w: {"name": "改名"},
    },
    "v1_judging_criteria_destroy": {"params": lambda w: {"criterion_id": w.criterion.pk}},
    "judging_my_assignments_list": {},
    "v1_judging_my_assignments_retrieve": {"params": lambda w: {"assignment_id": w.asg_a.pk}},
    "v1_judging_my_assignments_retrieve#conflicted": {"params": lambda w: {"assignment_id": w.asg_conflicted.pk}},
    "v1_judging_my_assignments_declare_conflict_create": {
        "params": lambda w: {"assignment_id": w.asg_a.pk},
        "body": lambda w: {"reason": "亲属关系"},
    },
    "v1_judging_my_assignments_declare_conflict_create#conflicted": {
        "params": lambda w: {"assignment_id": w.asg_conflicted.pk},
        "body": lambda w: {"reason": "亲属关系"},
    },
    "v1_judging_my_assignments_review_update": {
        "params": lambda w: {"assignment_id": w.asg_a.pk},
        "body": lambda w: {"scores": [{"criterion": w.criterion.pk, "value": "40"}], "comment": "草稿"},
    },
    "v1_judging_my_assignments_review_update#conflicted": {
        "params": lambda w: {"assignment_id": w.asg_conflicted.pk},
        "body": lambda w: {"scores": [{"criterion": w.criterion.pk, "value": "40"}], "comment": "草稿"},
    },
    "v1_judging_my_assignments_review_submit_create": {
        "params": lambda w: {"assignment_id": w.asg_a.pk},
        "body": lambda w: {
            "scores": [{"criterion": c.pk, "value": "30"} for c in w.rubric.criteria.all()],
            "comment": "提交",
        },
    },
    "v1_judging_pool_partial_update": {
        "params": lambda w: {"member_id": w.pool_assigned.pk},
        "body": lambda w: {"group": "外部专家"},
    },
    "v1_judging_pool_destroy": {"params": lambda w: {"member_id": w.pool_assigned.pk}},
    "v1_judging_reviews_return_create": {
        "params": lambda w: {"review_id": w.review_b.pk},
        "body": lambda w: {"reason": "补充"},
    },
    "v1_judging_reviews_void_create": {
        "params": lambda w: {"review_id": w.review_b.pk},
        "body": lambda w: {"reason": "回避"},
    },
    "judging_round_assignments_list": {"params": lambda w: {"round_id": w.round2.pk}},
    "v1_judging_rounds_assignments_create": {
        "params": lambda w: {"round_id": w.round2.pk},
        "body": lambda w: {"solution": w.sol_b.pk, "judge": w.users["judge_unassigned"].pk},
    },
    "v1_judging_rounds_auto_assign_create": {
        "params": lambda w: {"round_id": w.round2.pk},
        "body": lambda w: {"seed": 1},
    },
    "v1_judging_rounds_close_judging_create": {"params": lambda w: {"round_id": w.round2.pk}},
    "judging_round_blind_title_flags": {"params": lambda w: {"round_id": w.round2.pk}},
    "judging_round_conflicts_list": {"params": lambda w: {"round_id": w.round2.pk}},
    "judging_round_conflict_flags": {"params": lambda w: {"round_id": w.round2.pk}},
    "v1_judging_conflict_flags_resolve_create": {
        "params": lambda w: {"flag_id": w.flag_b.pk},
        "body": lambda w: {"action": "keep", "reason": "经核实无利益关系"},
    },
    "judging_round_conflicts_automatic": {"params": lambda w: {"round_id": w.round2.pk}},
    "v1_judging_rounds_conflicts_create": {
        "params": lambda w: {"round_id": w.round2.pk},
        "body": lambda w: {"judge": w.users["judge_unassigned"].pk, "team": w.team_b.pk, "reason": "同单位"},
    },
    "v1_judging_rounds_open_judging_create": {"params": lambda w: {"round_id": w.round2.pk}, "body": lambda w: {}},
    # round2 is still judging: even an organizer's reopen is refused (409).
    "v1_judging_rounds_reopen_create": {
        "params": lambda w: {"round_id": w.round2.pk},
        "body": lambda w: {"reason": "复核", "closes_at": "2099-01-01T00:00:00Z"},
    },
    "judging_round_pool_list": {"params": lambda w: {"round_id": w.round2.pk}},
    "v1_judging_rounds_pool_create": {
        "params": lambda w: {"round_id": w.round2.pk},
        "body": lambda w: {"judge": w.users["outsider"].pk},
    },
    "v1_judging_rounds_progress_retrieve": {"params": lambda w: {"round_id": w.round2.pk}},
    "judging_round_reviews_list": {"params": lambda w: {"round_id": w.round2.pk}},
    "judging_round_rubrics_list": {"params": lambda w: {"round_id": w.round2.pk}},
    "v1_judging_rounds_rubrics_create": {
        "params": lambda w: {"round_id": w.round2.pk},
        "body": lambda w: {"name": "赛道评分表", "track": w.track.pk},
    },
    "v1_judging_rubrics_retrieve": {"params": lambda w: {"rubric_id": w.rubric.pk}},
    "v1_judging_rubrics_partial_update": {
        "params": lambda w: {"rubric_id": w.rubric.pk},
        "body": lambda w: {"name": "改"},
    },
    "v1_judging_rubrics_destroy": {"params": lambda w: {"rubric_id": w.rubric.pk}},
    "v1_judging_rubrics_criteria_create": {
        "params": lambda w: {"rubric_id": w.rubric.pk},
        "body": lambda w: {"key": "impact", "name": "影响力", "max_score": "10"},
    },
    "v1_notifications_list": {},
    "v1_notifications_retrieve": {"params": lambda w: {"id": w.notice_a.pk}},
    "v1_notifications_read_create": {"params": lambda w: {"id": w.notice_a.pk}},
    "v1_notifications_read_all_create": {},
    "v1_notifications_unread_count_retrieve": {},
    "v1_rounds_list": {},
    "v1_rounds_create": {
        "body": lambda w: {"contest": w.contest.pk, "sequence": 3, "name": "决赛"},
    },
    "v1_rounds_retrieve": {"params": lambda w: {"id": w.round2.pk}},
    "v1_rounds_partial_update": {"params": lambda w: {"id": w.round2.pk}, "body": lambda w: {"name": "初赛（改）"}},
    "v1_scenarios_list": {},
    "v1_scenarios_create": {"body": lambda w: {"track": w.track.pk, "title": "新场景", "summary": "摘要"}},
    "v1_scenarios_retrieve": {"params": lambda w: {"id": w.scenario_draft.pk}},
    "v1_scenarios_retrieve#published": {"params": lambda w: {"id": w.scenario.pk}},
    "v1_scenarios_partial_update": {
        "params": lambda w: {"id": w.scenario_draft.pk},
        "body": lambda w: {"summary": "改"},
    },
    "v1_scenarios_approve_create": {"params": lambda w: {"id": w.scenario_draft.pk}},
    "v1_scenarios_approve_withdrawal_create": {"params": lambda w: {"id": w.scenario.pk}},
    "v1_scenarios_close_create": {"params": lambda w: {"id": w.scenario.pk}},
    "v1_scenarios_reject_create": {
        "params": lambda w: {"id": w.scenario_draft.pk},
        "body": lambda w: {"reason": "不符"},
    },
    "v1_scenarios_request_withdrawal_create": {
        "params": lambda w: {"id": w.scenario.pk},
        "body": lambda w: {"reason": "需求变更"},
    },
    "v1_scenarios_submit_create": {"params": lambda w: {"id": w.scenario_draft.pk}},
    "v1_solutions_list": {},
    "v1_solutions_create": {"body": lambda w: {"scenario": w.scenario_b.pk, "title": "新方案"}},
    "v1_solutions_retrieve": {"params": lambda w: {"id": w.sol_a.pk}},
    "v1_solutions_eligibility_list": {"params": lambda w: {"id": w.sol_a.pk}},
    "v1_solutions_eligibility_create": {
        "params": lambda w: {"id": w.sol_a.pk},
        "body": lambda w: {"outcome": "qualified", "reason": "合格"},
    },
    "v1_solutions_receipts_list": {"params": lambda w: {"id": w.sol_a.pk}},
    "v1_solutions_submit_create": {"params": lambda w: {"id": w.sol_a.pk}, "body": lambda w: {"version": 2}},
    "v1_solutions_supplement_create": {
        "params": lambda w: {"id": w.sol_a.pk},
        "body": lambda w: {"proposal": pdf_file()},
        "multipart": True,
    },
    "v1_solutions_transfer_create": {
        "params": lambda w: {"id": w.sol_a.pk},
        "body": lambda w: {"scenario": w.scenario_b.pk},
    },
    "v1_solutions_versions_list": {"params": lambda w: {"id": w.sol_a.pk}},
    "v1_solutions_versions_create": {
        "params": lambda w: {"id": w.sol_a.pk},
        "body": lambda w: {"title": "v3", "proposal": pdf_file()},
        "multipart": True,
    },
    "v1_solutions_withdraw_create": {"params": lambda w: {"id": w.sol_a.pk}, "body": lambda w: {"confirm": True}},
    "v1_teams_list": {},
    "v1_teams_create": {
        "body": lambda w: {"contest": w.contest.pk, "name": "新队", "lead_unit": w.team_b.lead_unit.pk},
    },
    "v1_teams_retrieve": {"params": lambda w: {"id": w.team_a.pk}},
    "v1_teams_partial_update": {"params": lambda w: {"id": w.team_a.pk}, "body": lambda w: {"name": "A队改名"}},
    "v1_teams_captain_create": {
        "params": lambda w: {"id": w.team_a.pk},
        "body": lambda w: {"user": w.users["member_a"].pk},
    },
    "v1_teams_invitations_list": {"params": lambda w: {"id": w.team_a.pk}},
    "v1_teams_invitations_create": {
        "params": lambda w: {"id": w.team_a.pk},
        "body": lambda w: {"email": "new@example.com"},
    },
    "v1_teams_invitations_revoke_create": {
        "params": lambda w: {"id": w.team_a.pk, "invitation_id": w.invitation.pk},
    },
    "v1_teams_members_list": {"params": lambda w: {"id": w.team_a.pk}},
    "v1_teams_fact_changes_list": {"params": lambda w: {"id": w.team_a.pk}},
    "v1_teams_fact_changes_create": {
        "params": lambda w: {"id": w.team_a.pk},
        "body": lambda w: {"co_units": [w.scenario_b.publisher_id], "reason": "新增联合单位"},
    },
    "v1_team_fact_changes_decide_create": {
        "params": lambda w: {"id": w.fact_change_a.pk},
        "body": lambda w: {"approve": True, "reason": "同意"},
    },
    "v1_teams_members_destroy": {"params": lambda w: {"id": w.team_a.pk, "user_id": w.users["member_a"].pk}},
    "v1_tracks_list": {},
    "v1_tracks_create": {
        "body": lambda w: {"contest": w.contest.pk, "name": "新赛道", "host": w.scenario.publisher_id},
    },
    "v1_tracks_retrieve": {"params": lambda w: {"id": w.track.pk}},
    "v1_tracks_partial_update": {"params": lambda w: {"id": w.track.pk}, "body": lambda w: {"description": "改"}},
    # results, publications, objections, awards
    "v1_rounds_results_list": {"params": lambda w: {"round_id": w.round2.pk}},
    "v1_rounds_results_list#published": {"params": lambda w: {"round_id": w.round1.pk}},
    "v1_rounds_aggregate_create": {"params": lambda w: {"round_id": w.round2.pk}},
    "v1_rounds_aggregate_status_retrieve": {"params": lambda w: {"round_id": w.round2.pk}},
    "v1_rounds_advancement_overrides_create": {
        "params": lambda w: {"round_id": w.round2.pk},
        "body": lambda w: {"solution_id": w.sol_b.pk, "advanced": True, "reason": "评审委员会决定"},
    },
    "v1_rounds_tie_decisions_create": {
        "params": lambda w: {"round_id": w.round2.pk},
        "body": lambda w: {"solution_ids": [w.sol_b.pk, w.sol_a.pk], "reason": "委员会"},
    },
    "v1_rounds_publish_create": {"params": lambda w: {"round_id": w.round2.pk}, "body": lambda w: {}},
    "v1_rounds_confirm_final_create": {"params": lambda w: {"round_id": w.round1.pk}},
    "v1_rounds_publications_list": {"params": lambda w: {"round_id": w.round2.pk}},
    "v1_rounds_publications_list#published": {"params": lambda w: {"round_id": w.round1.pk}},
    "v1_rounds_leaderboard_retrieve": {"params": lambda w: {"round_id": w.round2.pk}},
    "v1_rounds_leaderboard_retrieve#published": {"params": lambda w: {"round_id": w.round1.pk}},
    "v1_rounds_my_feedback_list": {"params": lambda w: {"round_id": w.round1.pk}},
    "v1_rounds_my_feedback_list#unpublished": {"params": lambda w: {"round_id": w.round2.pk}},
    "v1_rounds_exports_._retrieve": {"params": lambda w: {"round_id": w.round2.pk, "kind": "scores", "fmt": "csv"}},
    "v1_publications_verify_retrieve": {"params": lambda w: {"publication_id": w.publication.pk}},
    "v1_publications_objections_create": {
        "params": lambda w: {"publication_id": w.publication.pk},
        "body": lambda w: {
            "solution_id": w.sol_a.pk,
            "objector_kind": "individual",
            "reason": "评分有误",
            "real_name": "李四",
            "organization_name": "某单位",
            "phone": "13800000000",
        },
        "multipart": True,
    },
    "v1_objections_list": {},
    "v1_objections_decide_create": {
        "params": lambda w: {"objection_id": w.objection.pk},
        "body": lambda w: {"decision": "dismiss", "response": "经复核维持原结果"},
    },
    "v1_contests_awards_list": {"params": lambda w: {"contest_id": w.contest.pk}},
    "v1_contests_awards_confirm_create": {"params": lambda w: {"contest_id": w.contest.pk}, "body": lambda w: {}},
    "v1_awards_certificate.pdf_retrieve": {"params": lambda w: {"award_id": w.award.pk}},
    "v1_certificates_retrieve": {"params": lambda w: {"code": w.award.verification_code}},
    "v1_awards_revoke_create": {"params": lambda w: {"award_id": w.award.pk}, "body": lambda w: {"reason": "复核"}},
    # The world's award is live: re-issuing it is refused until it is revoked.
    "v1_awards_reissue_create": {
        "params": lambda w: {"award_id": w.award.pk},
        "body": lambda w: {"level": "second", "reason": "复核"},
    },
    # refused attempts (organizers)
    "v1_security_events_list": {},
    "v1_security_events_export_retrieve": {},
}

# --- the policy: expected outcome per persona ----------------------------------------------
POLICY: dict[str, dict[str, object]] = {
    # Round-scoped organizer endpoints: rounds are public, so a refusal is 403 (nothing hidden).
    # Secret objects (reviews, other judges' assignments, invisible solutions/teams/files) are 404.
    # The track host runs the pool, assignments and progress of its track (world: both
    # solutions) and is refused every score, review, result and export like any outsider; the
    # pool entry of the case is open to every track, so it is not the host's to change.
    "judging_my_assignments_list": row(OK, anonymous=403),
    "judging_round_assignments_list": row(403, organizer=OK, track_host=OK),
    "judging_round_blind_title_flags": row(403, organizer=OK),
    "judging_round_conflicts_list": row(403, organizer=OK),
    "judging_round_conflict_flags": row(403, organizer=OK),
    # Flags, like reviews, are secret: only the round's organizers know one exists.
    "v1_judging_conflict_flags_resolve_create": row(404, anonymous=403, organizer=OK),
    "judging_round_conflicts_automatic": row(403, organizer=OK),
    "judging_round_pool_list": row(403, organizer=OK, track_host=OK),
    "judging_round_reviews_list": row(403, organizer=OK),
    "judging_round_rubrics_list": row(403, judge_assigned=OK, judge_unassigned=OK, judge_conflicted=OK, organizer=OK),
    "api_root": row(OK),  # the list of endpoints, the same for everyone
    "v1_auth_token_create": row(OK),
    "v1_auth_token_destroy": row(OK, anonymous=403),  # one's own token only
    "v1_awards_certificate.pdf_retrieve": row(404, anonymous=403, captain_a=OK, member_a=OK, organizer=OK),
    "v1_certificates_retrieve": row(OK),
    "v1_awards_revoke_create": row(403, organizer=OK),
    "v1_awards_reissue_create": row(403, organizer=409),
    "v1_contests_awards_confirm_create": row(403, organizer=409),
    "v1_contests_awards_list": row(OK),
    "v1_contests_create": row(403),
    "v1_contests_list": row(OK),
    "v1_contests_partial_update": row(403, organizer=OK),
    "v1_contests_retrieve": row(OK),
    "v1_files_download_retrieve": row(404, captain_a=OK, member_a=OK, judge_assigned=OK, organizer=OK),
    "v1_files_download_retrieve#draft": row(404, captain_a=OK, member_a=OK, organizer=OK),
    "v1_invitations_accept_create": row(403),
    "v1_judging_assignments_destroy": row(403, organizer=OK, track_host=OK),
    "v1_judging_criteria_destroy": row(403, organizer=409),
    "v1_judging_criteria_partial_update": row(403, organizer=409),
    "v1_judging_my_assignments_declare_conflict_create": row(404, anonymous=403, judge_assigned=OK),
    "v1_judging_my_assignments_declare_conflict_create#conflicted": row(404, anonymous=403),
    "v1_judging_my_assignments_retrieve": row(404, anonymous=403, judge_assigned=OK),
    "v1_judging_my_assignments_retrieve#conflicted": row(404, anonymous=403),
    "v1_judging_my_assignments_review_submit_create": row(404, anonymous=403, judge_assigned=OK),
    "v1_judging_my_assignments_review_update": row(404, anonymous=403, judge_assigned=OK),
    "v1_judging_my_assignments_review_update#conflicted": row(404, anonymous=403),
    # The assigned judge holds active assignments: even the organizer's removal is refused (409).
    "v1_judging_pool_destroy": row(403, organizer=409),
    "v1_judging_pool_partial_update": row(403, organizer=OK),
    "v1_judging_reviews_return_create": row(404, anonymous=403, organizer=OK),
    "v1_judging_reviews_void_create": row(404, anonymous=403, organizer=OK),
    "v1_judging_rounds_assignments_create": row(403, organizer=OK, track_host=OK),
    "v1_judging_rounds_auto_assign_create": row(403, organizer=OK, track_host=OK),
    "v1_judging_rounds_close_judging_create": row(403, organizer=OK),
    "v1_judging_rounds_conflicts_create": row(403, organizer=OK),
    "v1_judging_rounds_open_judging_create": row(403, organizer=OK),
    "v1_judging_rounds_reopen_create": row(403, organizer=409),
    "v1_judging_rounds_pool_create": row(403, organizer=OK, track_host=OK),
    "v1_judging_rounds_progress_retrieve": row(403, organizer=OK, track_host=OK),
    "v1_judging_rounds_rubrics_create": row(403, organizer=409),
    "v1_judging_rubrics_criteria_create": row(403, organizer=409),
    "v1_judging_rubrics_destroy": row(403, organizer=409),
    "v1_judging_rubrics_partial_update": row(403, organizer=409),
    "v1_judging_rubrics_retrieve": row(403, judge_assigned=OK, judge_unassigned=OK, judge_conflicted=OK, organizer=OK),
    "v1_notifications_list": row(OK, anonymous=403),
    "v1_notifications_read_all_create": row(OK, anonymous=403),
    "v1_notifications_read_create": row(404, anonymous=403, captain_a=OK),
    "v1_notifications_retrieve": row(404, anonymous=403, captain_a=OK),
    "v1_notifications_unread_count_retrieve": row(OK, anonymous=403),
    "v1_objections_decide_create": row(404, anonymous=403, captain_b=403, organizer=OK),
    "v1_objections_list": row(OK, anonymous=403),
    "v1_publications_objections_create": row(OK, anonymous=403),
    "v1_publications_verify_retrieve": row(OK),
    "v1_rounds_advancement_overrides_create": row(403, organizer=OK),
    "v1_rounds_aggregate_create": row(403, organizer=OK),
    "v1_rounds_aggregate_status_retrieve": row(403, organizer=OK),
    "v1_rounds_confirm_final_create": row(403, organizer=409),
    "v1_rounds_create": row(403, organizer=OK),
    "v1_rounds_exports_._retrieve": row(403, organizer=OK),
    "v1_rounds_leaderboard_retrieve": row(404),
    "v1_rounds_leaderboard_retrieve#published": row(OK),
    "v1_rounds_list": row(OK),
    "v1_rounds_my_feedback_list": row(404, anonymous=403, captain_a=OK, member_a=OK, captain_b=OK),
    "v1_rounds_my_feedback_list#unpublished": row(404, anonymous=403),
    "v1_rounds_partial_update": row(403, organizer=OK),
    "v1_rounds_publications_list": row(404),
    "v1_rounds_publications_list#published": row(OK),
    "v1_rounds_publish_create": row(403, organizer=OK),
    "v1_rounds_results_list": row(404, anonymous=403, organizer=OK),
    "v1_rounds_results_list#published": row(404, anonymous=403, organizer=OK),
    "v1_rounds_retrieve": row(OK),
    "v1_rounds_tie_decisions_create": row(403, organizer=400),
    "v1_scenarios_approve_create": row(404, anonymous=403, publisher_own=403, organizer=409),
    "v1_scenarios_approve_withdrawal_create": row(403, organizer=409),
    "v1_scenarios_close_create": row(403, organizer=OK),
    "v1_scenarios_create": row(403, publisher_own=OK, publisher_other=OK),
    "v1_scenarios_list": row(OK),
    "v1_security_events_export_retrieve": row(403, organizer=OK, organizer_other=OK),
    "v1_security_events_list": row(403, organizer=OK, organizer_other=OK),
    "v1_scenarios_partial_update": row(404, anonymous=403, publisher_own=OK, organizer=403),
    "v1_scenarios_reject_create": row(404, anonymous=403, publisher_own=403, organizer=409),
    "v1_scenarios_request_withdrawal_create": row(403, publisher_own=OK),
    "v1_scenarios_retrieve": row(404, publisher_own=OK, organizer=OK),
    "v1_scenarios_retrieve#published": row(OK),
    "v1_scenarios_submit_create": row(404, anonymous=403, publisher_own=OK, organizer=403),
    "v1_solutions_create": row(403, captain_a=OK, captain_b=409),
    "v1_solutions_eligibility_create": row(
        404, anonymous=403, captain_a=403, member_a=403, judge_assigned=403, organizer=409
    ),
    "v1_solutions_eligibility_list": row(404, captain_a=OK, member_a=OK, organizer=OK),
    "v1_solutions_list": row(OK),
    "v1_solutions_receipts_list": row(404, captain_a=OK, member_a=OK, organizer=OK),
    "v1_solutions_retrieve": row(404, captain_a=OK, member_a=OK, judge_assigned=OK, organizer=OK),
    "v1_solutions_submit_create": row(
        404, anonymous=403, captain_a=OK, member_a=403, judge_assigned=403, organizer=403
    ),
    "v1_solutions_supplement_create": row(
        404, anonymous=403, captain_a=409, member_a=403, judge_assigned=403, organizer=403
    ),
    "v1_solutions_transfer_create": row(
        404, anonymous=403, captain_a=409, member_a=403, judge_assigned=403, organizer=403
    ),
    "v1_solutions_versions_create": row(
        404, anonymous=403, captain_a=OK, member_a=OK, judge_assigned=403, organizer=403
    ),
    "v1_solutions_versions_list": row(404, captain_a=OK, member_a=OK, judge_assigned=OK, organizer=OK),
    "v1_solutions_withdraw_create": row(
        404, anonymous=403, captain_a=OK, member_a=403, judge_assigned=403, organizer=403
    ),
    "v1_teams_captain_create": row(404, anonymous=403, captain_a=OK, member_a=403, organizer=403),
    # Organizers and judges may not compete in their own contest (finding, fixed in team_create).
    "v1_teams_create": row(
        403,
        captain_a=409,
        member_a=409,
        captain_b=409,
        publisher_own=OK,
        publisher_other=OK,
        organizer_other=OK,
    ),
    # Round 1 of the world is published: team A's members and units are frozen (team_facts_frozen).
    "v1_teams_invitations_create": row(404, anonymous=403, captain_a=409, member_a=403, organizer=403),
    "v1_teams_invitations_list": row(404, anonymous=403, captain_a=OK, member_a=OK, organizer=OK),
    "v1_teams_invitations_revoke_create": row(404, anonymous=403, captain_a=OK, member_a=403, organizer=403),
    "v1_teams_list": row(OK),
    # Frozen facts: the captain asks, an organizer decides; the team sees its requests.
    "v1_teams_fact_changes_list": row(404, anonymous=403, captain_a=OK, member_a=OK, organizer=OK),
    "v1_teams_fact_changes_create": row(404, anonymous=403, captain_a=OK, member_a=403, organizer=403),
    "v1_team_fact_changes_decide_create": row(404, anonymous=403, captain_a=403, member_a=403, organizer=OK),
    "v1_teams_members_destroy": row(404, anonymous=403, captain_a=409, member_a=409, organizer=403),
    "v1_teams_members_list": row(404, captain_a=OK, member_a=OK, organizer=OK),
    "v1_teams_partial_update": row(404, anonymous=403, captain_a=OK, member_a=403, organizer=403),
    "v1_teams_retrieve": row(404, captain_a=OK, member_a=OK, organizer=OK),
    "v1_tracks_create": row(403, organizer=OK),
    "v1_tracks_list": row(OK),
    "v1_tracks_partial_update": row(403, organizer=OK),
    "v1_tracks_retrieve": row(OK),
}


# --- lists: exactly which world objects each persona sees ----------------------------------
def _in_app(w, persona):
    user = w.user(persona)
    if user is None:
        return set()
    return set(Notification.objects.filter(recipient=user, channel="in_app").values_list("pk", flat=True))


def _named(**per_persona):
    return lambda w, persona: {getattr(w, name).pk for name in per_persona.get(persona, ())}


VISIBLE = {
    "v1_solutions_list": _named(
        captain_a=["sol_a"],
        member_a=["sol_a"],
        captain_b=["sol_b"],
        judge_assigned=["sol_a", "sol_b"],
        organizer=["sol_a", "sol_b"],
    ),
    "v1_teams_list": _named(
        captain_a=["team_a"], member_a=["team_a"], captain_b=["team_b"], organizer=["team_a", "team_b"]
    ),
    "v1_scenarios_list": lambda w, p: (
        {w.scenario.pk, w.scenario_b.pk}
        | ({w.scenario_draft.pk} if p in ("publisher_own", "organizer") else set())
        | ({w.other_scenario.pk} if p == "organizer_other" else set())
    ),
    "v1_contests_list": lambda w, p: {w.contest.pk, w.other_contest.pk},
    "v1_rounds_list": lambda w, p: {w.round1.pk, w.round2.pk, w.other_round.pk},
    "judging_my_assignments_list": _named(judge_assigned=["asg_a", "asg_b"]),
    # Organizers see every objection of a contest when they name it; everyone else their own.
    "v1_objections_list": (
        _named(captain_b=["objection"], organizer=["objection"]),
        lambda w: {"contest": w.contest.pk},
    ),
    "v1_notifications_list": _in_app,
    "v1_security_events_list": _named(organizer=["event_a"], organizer_other=["event_other"]),
}


def _url(path: str, params: dict) -> str:
    def sub(match):
        return str(params[match.group(1)])

    return re.sub(r"{(\w+)}", sub, path)


def _call(client, method: str, url: str, body, multipart: bool):
    if method == "get":
        return client.get(url)
    kwargs = {"format": "multipart" if multipart else "json"}
    if body is not None:
        kwargs["data"] = body
    return getattr(client, method)(url, **kwargs)


def _close_stream(response):
    """Close a streamed file without `response.close()`, whose request_finished signal would
    close the test's database connection."""
    for closer in getattr(response, "_resource_closers", []):
        closer()


def _outcome(status_code: int):
    return OK if 200 <= status_code < 300 else status_code


def run_case(world, client_for, key):
    """Observed outcome per persona; each request in a savepoint that is rolled back.

    Returns {persona: (outcome, changed tables, response)}.
    """
    op_id = key.split("#")[0]
    method, path = OPERATIONS[op_id]
    case = CASES[key]
    observed = {}
    before = db_snapshot() if method in UNSAFE else None
    for persona in PERSONAS:
        client = client_for(persona)
        with transaction.atomic():
            params = case.get("params", lambda w: {})(world)
            body = case["body"](world) if "body" in case else None
            events_before = SecurityEvent.objects.count()
            response = _call(client, method, _url(path, params), body, case.get("multipart", False))
            changed = snapshot_diff(before, db_snapshot()) if method in UNSAFE else []
            recorded = SecurityEvent.objects.count() - events_before
            _close_stream(response)
            transaction.set_rollback(True)
        observed[persona] = (_outcome(response.status_code), changed, response, recorded)
    return observed


# Refusals that are not a refused state change: not signed in, malformed input, invisible objects.
NOT_RECORDED = {"not_authenticated", "authentication_failed", "validation_error", "not_found", "parse_error"}


def _expected_records(method: str, response) -> int:
    """A refused unsafe request writes one SecurityEvent; anything else none."""
    if method not in UNSAFE or response.status_code < 400:
        return 0
    code = response.json().get("code") if response.get("Content-Type", "").startswith("application/json") else None
    return 0 if code in NOT_RECORDED else 1


def test_every_operation_has_a_case_and_a_policy():
    """A new endpoint fails here until it is reviewed: give it a CASES entry and a POLICY row."""
    missing_case = sorted(op for op in OPERATIONS if op not in CASES)
    missing_policy = sorted(op for op in OPERATIONS if op not in POLICY)
    stale = sorted(key for key in list(CASES) + list(POLICY) if key.split("#")[0] not in OPERATIONS)
    assert not missing_case, f"operations without a case: {missing_case}"
    assert not missing_policy, f"operations without a policy row: {missing_policy}"
    assert not stale, f"cases or policy rows for operations that no longer exist: {stale}"


def _group(key: str) -> str:
    """Cases are grouped by the resource their path starts with: one world per group."""
    return OPERATIONS[key.split("#")[0]][1].split("/")[3] if key.split("#")[0] in OPERATIONS else "stale"


GROUPS = sorted({_group(key) for key in CASES})


@pytest.mark.parametrize("group", GROUPS)
def test_access_matrix(world, client_for, group):
    """Every case of the group; each request is rolled back, so all start from the same world."""
    problems = {}
    for key in sorted(k for k in CASES if _group(k) == group):
        observed = run_case(world, client_for, key)
        actual = {p: o for p, (o, _, _, _) in observed.items()}
        expected = POLICY.get(key)
        if expected is None:
            problems[key] = f"no POLICY row; observed: {actual}"
            continue
        mismatches = {p: (expected[p], actual[p]) for p in PERSONAS if expected[p] != actual[p]}
        if mismatches:
            problems[key] = f"persona → (expected, actual): {mismatches}"
        method = OPERATIONS[key.split("#")[0]][0]
        if method in UNSAFE:
            leaked = {p: changed for p, (o, changed, _, _) in observed.items() if o != OK and changed}
            if leaked:
                problems[key + " (refused but changed rows)"] = leaked
        records = {
            p: (_expected_records(method, response), recorded)
            for p, (_, _, response, recorded) in observed.items()
            if _expected_records(method, response) != recorded
        }
        if records:
            problems[key + " (security events: expected, written)"] = records
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())


def _ids(response):
    data = response.json()
    rows = data["results"] if isinstance(data, dict) and "results" in data else data
    return {r["id"] for r in rows}


@pytest.mark.parametrize("op_id", sorted(VISIBLE))
def test_lists_contain_no_foreign_rows(world, client_for, op_id):
    method, path = OPERATIONS[op_id]
    expect, params = VISIBLE[op_id] if isinstance(VISIBLE[op_id], tuple) else (VISIBLE[op_id], lambda w: {})
    for persona in PERSONAS:
        response = client_for(persona).get(path, {"page_size": 100, **params(world)})
        expected = expect(world, persona)
        if response.status_code != 200:
            assert not expected, f"{op_id} {persona}: {response.status_code}"
            continue
        assert _ids(response) == expected, f"{op_id} {persona}"
