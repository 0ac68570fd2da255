"""The contest of the submissions tests (qualification round, team A with captain and member,
a published scenario of 上海银行), reused so that notices come from the real services."""

from tests.submissions.conftest import *  # noqa: F403
