"""Demo activity in the current contest: fictional teams, members and solutions.

`manage.py load_demo` calls `load_demo(ctx)` after building the contest. Today lies inside round
1's submission window, so everything here goes through the real services on the real clock:
`team_create`, `invitation_create`/`invitation_accept`, `solution_create`,
`solution_version_create` (a minimal valid PDF built in code for every required document),
`solution_submit` and `solution_withdraw`. The result: 12 teams (the demo users `captain` 张三
and `member` 李四 in the first), 20 solutions — most submitted with receipts, one submitted
twice (two receipts), some drafts, one withdrawn. Nothing of this contest can be judged yet;
the past edition built by `judging.results.demo` shows judging and results.

Idempotent: a team is built only when no team of that name exists in the contest (the whole
load runs in one transaction, so a team is never half-built). When round 1 does not accept
submissions (`--original-dates`), missing teams are skipped and the output says so.
People are fictional (example.com addresses).
"""

from __future__ import annotations

import logging
import zlib

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile

from contest import clock
from contest.clock import round_accepts_submissions
from contest.demo import data
from contest.models import User

from .models import Invitation, Solution, SolutionVersion, SubmissionReceipt, Team, TeamMembership
from .services import (
    invitation_accept,
    invitation_create,
    solution_create,
    solution_submit,
    solution_version_create,
    solution_withdraw,
    team_create,
)

logger = logging.getLogger(__name__)

# (team name, lead unit, co-units, captain, members, [(scenario code, what happens)])
# Captains and members: username → (full name, organization key); "captain"/"member" are the
# demo users of contest/demo/data.py. What happens: submitted | resubmitted | draft | withdrawn.
TEAMS = [
    (
        "示例智联揭榜队",
        "ORG-DEMO-TECH",
        ["ORG-DEMO-UNIV"],
        "captain",
        ["member"],
        [("SC-05", "submitted"), ("SC-13", "draft")],
    ),
    (
        "浦江数智联合体",
        "ORG-DEMO-DATA",
        [],
        "t02a",
        ["t02b", "t02c"],
        [("SC-02", "resubmitted"), ("SC-04", "submitted")],
    ),
    (
        "张江孪生实验室",
        "ORG-DEMO-INST",
        ["ORG-DEMO-TECH"],
        "t03a",
        ["t03b"],
        [("SC-01", "submitted"), ("SC-16", "submitted")],
    ),
    ("东海智造创新团队", "ORG-DEMO-UNIV", [], "t04a", ["t04b", "t04c"], [("SC-09", "submitted"), ("SC-10", "draft")]),
    ("外滩金融科技队", "ORG-DEMO-TECH", [], "t05a", ["t05b"], [("SC-06", "submitted"), ("SC-07", "withdrawn")]),
    ("申城数据治理队", "ORG-DEMO-DATA", ["ORG-DEMO-INST"], "t06a", ["t06b"], [("SC-03", "submitted")]),
    (
        "黄浦江城市大脑队",
        "ORG-DEMO-INST",
        [],
        "t07a",
        ["t07b", "t07c"],
        [("SC-14", "submitted"), ("SC-15", "submitted")],
    ),
    ("临港工业互联网队", "ORG-DEMO-UNIV", ["ORG-DEMO-DATA"], "t08a", ["t08b"], [("SC-11", "submitted")]),
    ("百货新零售创新组", "ORG-DEMO-TECH", [], "t09a", ["t09b"], [("SC-18", "submitted"), ("SC-19", "draft")]),
    ("滨江智慧物流队", "ORG-DEMO-DATA", [], "t10a", [], [("SC-17", "submitted"), ("SC-20", "submitted")]),
    ("徐汇普惠金融队", "ORG-DEMO-INST", [], "t11a", ["t11b"], [("SC-08", "submitted")]),
    ("松江绿色制造队", "ORG-DEMO-UNIV", [], "t12a", ["t12b"], [("SC-12", "submitted")]),
]

SURNAMES = "刘陈杨黄吴徐孙马朱胡郭何林罗高梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = ["一鸣", "思远", "晓峰", "雨桐", "子涵", "浩然", "欣怡", "俊杰", "佳琪", "文博", "嘉怡", "志强"]

REQUIRED_KINDS = ("proposal", "commitment", "license")


def minimal_pdf(text: str) -> bytes:
    """A small, valid one-page PDF (correct xref offsets) showing one ASCII line."""
    safe = text.encode("ascii", "replace").decode().replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 14 Tf 72 770 Td ({safe}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_uploads(label: str, kinds=REQUIRED_KINDS) -> list[tuple[str, SimpleUploadedFile]]:
    """One PDF per document kind; the content names the solution so files differ."""
    tag = f"{zlib.crc32(label.encode()):08x}"
    return [
        (kind, SimpleUploadedFile(f"{kind}.pdf", minimal_pdf(f"Jiebang demo {kind} {tag}"), "application/pdf"))
        for kind in kinds
    ]


def fictional_name(username: str) -> str:
    index = zlib.crc32(username.encode())
    return SURNAMES[index % len(SURNAMES)] + GIVEN[(index // 7) % len(GIVEN)]


def demo_user(ctx, username: str, *, org_key: str, password_hash: list) -> User:
    """A fictional participant (created once; the password is the demo password)."""
    user = User.objects.filter(username=username).first()
    if user is None:
        if not password_hash:
            password_hash.append(make_password(data.DEMO_PASSWORD))  # hash once: hashing is slow
        user = User.objects.create(
            username=username,
            full_name=f"{fictional_name(username)}（示例）",
            email=f"{username}@example.com",
            verified_email=f"{username}@example.com",  # demo addresses count as proven
            organization=ctx.orgs[org_key],
            password=password_hash[0],
        )
    elif not user.has_verified_email:  # created before addresses had to be proven
        user.verified_email = user.email
        user.save(update_fields=["verified_email"])
    return user


def _join(team: Team, captain: User, user: User) -> None:

    invitation = invitation_create(actor=captain, team=team, email=user.email)
    invitation_accept(actor=user, token=invitation.token)


def _build_team(ctx, spec, password_hash: list) -> None:

    name, lead_key, co_keys, captain_name, member_names, entries = spec
    users = {u.username: u for u in User.objects.filter(username__in=[captain_name, *member_names])}
    people = {}
    for username in [captain_name, *member_names]:
        people[username] = users.get(username) or demo_user(
            ctx, username, org_key=lead_key, password_hash=password_hash
        )
    captain = people[captain_name]
    team = team_create(
        actor=captain,
        contest=ctx.contest,
        name=name,
        lead_unit=ctx.orgs[lead_key],
        co_units=[ctx.orgs[k] for k in co_keys],
    )
    for username in member_names:
        _join(team, captain, people[username])
    uploader = people[member_names[0]] if member_names else captain
    for code, what in entries:
        scenario = ctx.scenarios[code]
        title = f"面向“{scenario.title}”的{name[:4]}解决方案"
        abstract = f"{name}针对{scenario.title}提出的揭榜方案：技术路线、实施计划与验收指标。（演示数据）"
        solution = solution_create(actor=captain, team=team, scenario=scenario, title=title, abstract=abstract)
        version = solution_version_create(
            actor=uploader, solution=solution, title=title, abstract=abstract, uploads=pdf_uploads(f"{name}{code}v1")
        )
        if what == "draft":
            continue
        solution_submit(actor=captain, solution=solution, version_number=version.number)
        if what == "resubmitted":
            version = solution_version_create(
                actor=captain,
                solution=solution,
                title=title + "（修订版）",
                abstract=abstract + "修订：补充了数据安全方案。",
                uploads=pdf_uploads(f"{name}{code}v2", kinds=("proposal",)),
            )
            solution_submit(actor=captain, solution=solution, version_number=version.number)
        elif what == "withdrawn":
            solution_withdraw(actor=captain, solution=solution, confirm=True, reason="团队调整方向，主动撤回。")


def count_rows(models_: list) -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in models_}


def record_created(ctx, before: dict[str, int], models_: list) -> None:
    """Add the rows the services created to the loader's counters (they print in the summary)."""
    for label, count in count_rows(models_).items():
        if count > before[label]:
            ctx.created[label] += count - before[label]


def load_demo(ctx) -> None:

    models_ = [User, Team, TeamMembership, Invitation, Solution, SolutionVersion, SubmissionReceipt]
    existing = set(Team.objects.filter(contest=ctx.contest).values_list("name", flat=True))
    missing = [spec for spec in TEAMS if spec[0] not in existing]
    if missing and not round_accepts_submissions(ctx.rounds[1], clock.now()):
        logger.warning("Round 1 does not accept submissions now: %d demo team(s) skipped.", len(missing))
        missing = []
    if missing:
        before = count_rows(models_)
        password_hash: list[str] = []
        for spec in missing:
            _build_team(ctx, spec, password_hash)
        record_created(ctx, before, models_)
    ctx.logins.append(("t02a", data.DEMO_PASSWORD, "captain 浦江数智联合体 (t02a…t12a captains, t02b… members)"))
