"""Every notification kind: who receives it and the context its templates use.

Documentation for the services that call `notify`/`notify_many`, and the list the template
tests check (each kind has `<kind>/en/` and `<kind>/zh-hans/` subject and body templates).
Besides these keys every template sees `site_url` and `link_url`; missing keys render empty.
"""

KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "scenario_approved": ("publisher's users", ("contest_name", "scenario_title")),
    "scenario_rejected": ("publisher's users", ("contest_name", "scenario_title", "reason")),
    "scenario_withdrawn": (
        "members of every team that took it up",
        ("contest_name", "scenario_title", "solution_title", "reason", "transfer_possible", "deadline"),
    ),
    "team_invitation": (
        "invitee (user or bare e-mail)",
        ("contest_name", "team_name", "inviter_name", "accept_url | link", "expires_at"),
    ),
    "member_joined": ("the other members", ("contest_name", "team_name", "member_name")),
    "member_removed": ("the removed member", ("contest_name", "team_name", "member_name", "removed_self")),
    "submission_receipt": (
        "team members",
        (
            "contest_name",
            "team_name",
            "solution_title",
            "scenario_title",
            "receipt_code",
            "version_number",
            "sha256",
            "submitted_at",
            "round_name",
        ),
    ),  # fmt: skip
    "qualification_decision": (
        "team members",
        ("contest_name", "solution_title", "qualified | outcome", "next_round_name", "reason"),
    ),
    "supplement_requested": ("team members", ("contest_name", "solution_title", "reason", "supplement_deadline")),
    "judge_assigned": ("the judge", ("contest | contest_name", "round | round_name", "count", "closes_at")),
    "review_reopened": ("the judge", ("contest", "round", "solution_id | solution_label", "reason")),
    "round_results": (
        "members of each team",
        (
            "contest_name",
            "round_name",
            "solution_title",
            "rank",
            "group_size",
            "score",
            "advanced",
            "next_round_name",
            "final",
            "publicity_ends_at",
        ),
    ),  # fmt: skip
    "objection_filed": (
        "organizers",
        ("contest_name", "round_name", "solution_title", "objector_name", "organization_name", "reason"),
    ),
    "objection_decided": ("the objector", ("contest_name", "round_name", "solution_title", "upheld", "response")),
    "award_confirmed": (
        "team members",
        ("contest_name", "solution_title", "level_display | level", "matched", "verification_code"),
    ),
    "reminder_submission": (
        "members of teams with an unsubmitted solution (24 h, 1 h)",
        ("contest_name", "round_name", "deadline", "hours_left", "solution_titles"),
    ),
    "reminder_review": (
        "judges with unsubmitted reviews (24 h)",
        ("contest_name", "round_name", "closes_at", "hours_left", "pending_count"),
    ),
}
