"""Signals the submissions app sends; other apps connect to them (submissions imports none of them).

`team_facts_changed`: a team's members or units changed (a member joined, the team's units
changed, a member's organization followed their profile, an approved fact change). Sent inside
the caller's transaction with `actor`, `contest_id` and `team_ids`; receivers run in it, and an
exception in one rolls the change back. Judging connects its conflict sweep here (judges the
change brings into conflict lose their assignments): the one conflict rule stays in judging,
and the dependency keeps pointing judging → submissions.
"""

from django.dispatch import Signal

team_facts_changed = Signal()
