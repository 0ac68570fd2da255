"""A contest in the shape of the demo: a qualification round taking the first submissions
(揭榜), a scored second round, a published scenario, team A (captain + member) and team B."""

import datetime as dt
import io
import zipfile
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contest.enums import Role, RoundKind
from submissions import services
from tests.factories.contest import (
    ContestFactory,
    ContestRoleFactory,
    OrganizationFactory,
    RoundFactory,
    ScenarioFactory,
    TrackFactory,
    UserFactory,
)
from tests.factories.submissions import TeamFactory, TeamMembershipFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The first round's deadline as shown to users: 2026-06-30 23:59:59 (Shanghai).
DEADLINE = dt.datetime(2026, 6, 30, 23, 59, 59, tzinfo=SHANGHAI)
OPENS = dt.datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI)
BEFORE = DEADLINE - dt.timedelta(days=2)
AFTER = DEADLINE + dt.timedelta(days=2)


# --- files built in the test -------------------------------------------------------------------

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120


def pdf(text: str = "方案书") -> bytes:
    return MINIMAL_PDF + f"% {text}\n".encode()


def zip_bytes(entries: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def ooxml(folder: str) -> bytes:
    return zip_bytes({"[Content_Types].xml": b"<Types/>", f"{folder}/document.xml": b"<doc/>", "_rels/.rels": b"<r/>"})


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def release(response) -> bytes:
    """Read a streamed response to the end, which closes its file through the test client's
    wrapper (a bare `response.close()` would fire request_finished and close the test's
    database connection)."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def media_snapshot(root) -> set:
    """Every file below `root` (the test's tmp dir, the media folder's parent)."""
    return {p.relative_to(root) for p in root.rglob("*") if p.is_file()}


# --- the world -------------------------------------------------------------------------------


@pytest.fixture
def clock(time_machine):
    """Move the server clock: `clock(dt)` freezes it there."""

    def move(at):
        time_machine.move_to(at, tick=False)

    move(BEFORE)
    return move


@pytest.fixture
def contest():
    return ContestFactory(max_team_size=3, max_co_units=2, max_entries_per_team=2)


@pytest.fixture
def round1(contest):
    return RoundFactory(
        contest=contest,
        sequence=1,
        name="资格审查",
        kind=RoundKind.QUALIFICATION,
        submission_opens_at=OPENS,
        submission_deadline=DEADLINE,
        judging_opens_at=DEADLINE + dt.timedelta(days=1),
        judging_closes_at=DEADLINE + dt.timedelta(days=10),
        required_documents=["proposal", "commitment"],
        max_upload_bytes=64 * 1024,
    )


@pytest.fixture
def round2(contest, round1):
    return RoundFactory(
        contest=contest,
        sequence=2,
        name="初赛",
        submission_opens_at=DEADLINE + dt.timedelta(days=10),
        submission_deadline=DEADLINE + dt.timedelta(days=20),
        judging_opens_at=DEADLINE + dt.timedelta(days=21),
        judging_closes_at=DEADLINE + dt.timedelta(days=30),
        required_documents=["proposal", "slides"],
        max_upload_bytes=64 * 1024,
    )


@pytest.fixture
def track(contest):
    return TrackFactory(contest=contest)


@pytest.fixture
def publisher_org():
    return OrganizationFactory(name="上海银行股份有限公司")


@pytest.fixture
def scenario(track, publisher_org):
    return ScenarioFactory(track=track, publisher=publisher_org)


@pytest.fixture
def other_scenario(track):
    return ScenarioFactory(track=track)


@pytest.fixture
def team(contest):
    return TeamFactory(contest=contest, name="揭榜A队")


@pytest.fixture
def captain(team):
    return team.captain


@pytest.fixture
def member(team):
    return TeamMembershipFactory(team=team, organization=OrganizationFactory()).user


@pytest.fixture
def team_b(contest):
    return TeamFactory(contest=contest, name="揭榜B队")


@pytest.fixture
def organizer(contest):
    return ContestRoleFactory(contest=contest, role=Role.ORGANIZER).user


@pytest.fixture
def publisher(contest, publisher_org):
    return ContestRoleFactory(contest=contest, role=Role.PUBLISHER, organization=publisher_org).user


@pytest.fixture
def other_publisher(contest):
    return ContestRoleFactory(contest=contest, role=Role.PUBLISHER, organization=OrganizationFactory()).user


@pytest.fixture
def judge(contest):
    return ContestRoleFactory(contest=contest, role=Role.JUDGE).user


@pytest.fixture
def outsider():
    return UserFactory()


def full_files(**overrides):
    files = {"proposal": upload("方案书.pdf", pdf()), "commitment": upload("承诺书.png", PNG, "image/png")}
    files.update(overrides)
    return list(files.items())


@pytest.fixture
def solution(clock, round1, scenario, team, captain):
    """Team A's draft solution for the scenario, taken up before the deadline."""
    return services.solution_create(actor=captain, team=team, scenario=scenario, title="智能风控方案", abstract="摘要")


@pytest.fixture
def submitted(solution, captain):
    """Team A's solution with version 1 submitted as final."""
    services.solution_version_create(
        actor=captain, solution=solution, title="智能风控方案", abstract="摘要", uploads=full_files()
    )
    services.solution_submit(actor=captain, solution=solution, version_number=1)
    solution.refresh_from_db()
    return solution


def url(name, **kwargs):
    """The path of a submissions API endpoint by its URL name."""
    return reverse(f"submissions-api:{name}", kwargs=kwargs)


@pytest.fixture
def as_user(api_client):
    """`as_user(user)`: the API client, authenticated as that user."""

    def login(user):
        api_client.force_authenticate(user)
        return api_client

    return login
