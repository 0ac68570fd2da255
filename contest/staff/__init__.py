"""The organizer back office of the contest app: the organizer home, one contest's overview
(scenario approvals), the page of refused attempts, and the helpers every app's staff pages
share (`contest.staff.base`)."""
