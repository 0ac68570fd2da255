"""The public API of the submissions app's services: every state change of teams, invitations,
solutions and qualification is a use case named here. Callers in other apps, tests and
benchmarks import from `submissions.services`; inside the app, code imports from the module
that defines the name.

Modules: `teams` (registration, units, members, captaincy), `invitations`, `solutions`
(versions, submit, withdraw), `transfers` (a withdrawn scenario's solutions: pending transfer,
transfer, end), `qualification` (eligibility decisions, supplements 补正), `storage` (orphan
file sweep). `_common` (row locks, notices, refusals) and `_versions` (version and receipt
building) are private to the package.

Locking discipline (pretix style): lock the row that guards a limit, once per transaction, as
late as possible, always in the order contest → round → team → invitation → solution. Each
`select_for_update` names the race it prevents. `select_for_update` is a no-op on SQLite,
where writes are serialised by the database lock anyway; the race tests run on PostgreSQL.

Times come from `contest.clock.now()` read *after* the locks are held, so a deadline is judged
at the moment the transaction may commit the change, never from anything the client claims.
"""

from ._common import (
    FIRST_ROUND_STATUSES,
    IN_CONTEST_STATUSES,
    INVITATION_TTL,
    LATER_ROUND_STATUSES,
    SUPPLEMENT_TTL,
)
from .invitations import invitation_accept, invitation_create, invitation_revoke
from .qualification import eligibility_decide, solution_supplement, supplements_expire
from .solutions import (
    solution_create,
    solution_submit,
    solution_version_create,
    solution_withdraw,
    submission_round_for,
)
from .storage import ORPHAN_GRACE, orphan_files_sweep
from .teams import captain_transfer, member_organization_follow_profile, member_remove, team_create, team_update
from .transfers import solution_transfer, solutions_end_untransferred, solutions_on_scenario_withdrawn

__all__ = [
    "FIRST_ROUND_STATUSES",
    "IN_CONTEST_STATUSES",
    "INVITATION_TTL",
    "LATER_ROUND_STATUSES",
    "ORPHAN_GRACE",
    "SUPPLEMENT_TTL",
    "captain_transfer",
    "eligibility_decide",
    "invitation_accept",
    "invitation_create",
    "invitation_revoke",
    "member_organization_follow_profile",
    "member_remove",
    "orphan_files_sweep",
    "solution_create",
    "solution_submit",
    "solution_supplement",
    "solution_transfer",
    "solution_version_create",
    "solution_withdraw",
    "solutions_end_untransferred",
    "solutions_on_scenario_withdrawn",
    "submission_round_for",
    "supplements_expire",
    "team_create",
    "team_update",
]
