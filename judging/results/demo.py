"""Demo activity of a past edition: a contest judged, published and awarded end to end.

Today lies inside round 1's submission window of the demo contest, so none of its rounds can be
judged yet. To show judges, results, publicity and awards with real figures, `load_demo` also
builds a compact past edition, 2020上海国资国企数字化转型创新大赛（往届演示） (slug
`sh-soe-dx-2020`, fixed 2020 dates, 2 tracks, 6 scenarios, 12 fictional teams):

1. qualification round: teams register, upload (minimal PDFs) and submit; the organizer
   qualifies 11 solutions and disqualifies one;
2. 初赛 (scored, trimmed mean, top 6 of the contest advance): the seven demo judges join the
   pool, the automatic assignment gives every solution 5 judges, each judge submits a review,
   the round is aggregated, published with a 5-day publicity window, and the final list is
   confirmed, which applies the advancement;
3. 决赛 (scored, 5 judges each): judged, aggregated, published and confirmed the same way; the
   awards are confirmed (一等奖 1, 二等奖 2–3, 三等奖 4–6, 优胜奖 for the 初赛's eliminated).

Every step goes through the real services (submissions.services, judging.services.*, judging.results.services.*), so the
scores, ranks, digests and verification codes are genuine. The services read the clock, and
their windows lie in 2020: the steps run under a *simulated clock* (`django.utils.timezone.now`
returns the step's 2020 time while it runs), so rows carry their 2020 times. Audit events keep
the real time (the audit log records when the loader wrote them). The past contest is then
marked closed. Idempotent: nothing is done when the past contest already exists (the whole load
is one transaction, so it is never half-built).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import types
from decimal import ROUND_HALF_UP, Decimal
from unittest import mock

from django.utils import timezone

from contest.api.cache import public_scenarios_changed
from contest.demo import data
from contest.demo.data import at
from contest.enums import ContestStatus, OrganizingRole, Role, RoundStatus
from contest.models import Contest, ContestOrganization, ContestRole, Round, Scenario, Track, User
from judging.models import Criterion, JudgeAssignment, JudgePoolMember, Review, Rubric
from judging.results.models import Award, Publication, RoundResult
from judging.results.services.aggregation import results_aggregate
from judging.results.services.awards import awards_confirm
from judging.results.services.publication import publication_confirm_final, publication_publish
from judging.selectors import rubric_for_track
from judging.services.assignment import assignment_auto_run
from judging.services.pools import pool_member_add
from judging.services.rounds import round_close_judging, round_open_judging
from judging.services.scoring import review_submit
from submissions.demo import count_rows, demo_user, pdf_uploads, record_created
from submissions.models import EligibilityDecision, RoundEntry, Solution, SubmissionReceipt, Team
from submissions.services import (
    eligibility_decide,
    solution_create,
    solution_submit,
    solution_version_create,
    team_create,
)

PAST_SLUG = "sh-soe-dx-2020"
PAST_CONTEST = {
    "name": "2020上海国资国企数字化转型创新大赛（往届演示）",
    "name_en": "2020 Shanghai SOE Digital Transformation Innovation Contest (past edition, demo)",
    "theme": "数字赋能 转型发展",
    "description": (
        "往届演示赛事：用于展示评审、成绩公示与获奖核验的完整流程。榜单、团队、评分与获奖均为虚构的演示数据。"
    ),
    "max_team_size": 10,
    "max_co_units": 4,
    "max_entries_per_team": 3,
}
# key: (name, English name, host)
PAST_TRACKS = {
    "P-BASE": ("数字基础设施", "Digital infrastructure", "ORG-LG"),
    "P-MFG": ("智能制造", "Smart manufacturing", "ORG-SE"),
}
# code, track, publisher, title, budget (万元)
PAST_SCENARIOS = [
    ("P20-01", "P-BASE", "ORG-LG", "产业园区能耗在线监测与碳排放核算平台", 180),
    ("P20-02", "P-BASE", "ORG-XT", "政务数据共享交换链路的安全审计工具", 120),
    ("P20-03", "P-BASE", "ORG-SZ", "工程咨询报告知识库与智能检索", 90),
    ("P20-04", "P-MFG", "ORG-SE", "发电设备关键部件寿命预测与预防性维护", 260),
    ("P20-05", "P-MFG", "ORG-HY", "化工装置安全生产风险智能预警", 200),
    ("P20-06", "P-MFG", "ORG-BM", "乳制品生产全流程质量追溯", 150),
]
# Round specs on top of data.ROUNDS' fields (2020 calendar, Asia/Shanghai).
PAST_ROUNDS = [
    {
        **data.ROUNDS[0],
        "submission_opens_at": at(2020, 6, 1, 10),
        "submission_deadline": at(2020, 6, 30, 23, 59, 59),
        "judging_opens_at": at(2020, 7, 1),
        "judging_closes_at": at(2020, 7, 5),
    },
    {
        **data.ROUNDS[1],
        "judging_opens_at": at(2020, 7, 6, 9),
        "judging_closes_at": at(2020, 7, 17, 18),
        "publish_at": at(2020, 7, 20, 10),
        "advancement_scope": "contest",
        "advancement_value": 6,
    },
    {
        **data.ROUNDS[3],
        "sequence": 3,
        "submission_opens_at": None,
        "submission_deadline": None,
        "required_documents": [],
        "judging_opens_at": at(2020, 8, 20, 9),
        "judging_closes_at": at(2020, 8, 20, 18),
        "publish_at": at(2020, 8, 24, 10),
        "judges_per_solution": 5,
    },
]
PUBLICITY = {  # round sequence: (publicity starts, ends, final list confirmed)
    2: (at(2020, 7, 20, 10), at(2020, 7, 26, 18), at(2020, 7, 27, 10)),
    3: (at(2020, 8, 24, 10), at(2020, 8, 30, 18), at(2020, 8, 31, 10)),
}
AWARD_RANGES = [
    {"level": "first", "from": 1, "to": 1},
    {"level": "second", "from": 2, "to": 3},
    {"level": "third", "from": 4, "to": 6},
]
# team name, lead unit, scenario code, quality (a mean judge total around which scores vary)
PAST_TEAMS = [
    ("申江碳索团队", "ORG-DEMO-TECH", "P20-01", 88),
    ("绿色园区数字化队", "ORG-DFGJ", "P20-01", 74),
    ("信链安全实验室", "ORG-CPIC", "P20-02", 81),
    ("数盾审计团队", "ORG-DHLS", "P20-02", 66),
    ("知识图谱咨询队", "ORG-SIPG", "P20-03", 79),
    ("智检文库团队", "ORG-DEMO-TECH", "P20-03", 70),
    ("寿命预测联合体", "ORG-STEC", "P20-04", 91),
    ("电力运维智能队", "ORG-CT", "P20-04", 77),
    ("化安预警团队", "ORG-DFGJ", "P20-05", 84),
    ("危化感知实验室", "ORG-DHLS", "P20-05", 63),
    ("乳品溯源团队", "ORG-CPIC", "P20-06", 86),
    ("食安链团队", "ORG-SIPG", "P20-06", 72),
]
DISQUALIFIED = "危化感知实验室"
JUDGE_BIAS = {"judge1": -3, "judge2": 2, "judge3": -1, "judge4": 4, "judge5": 0, "judge6": -2, "judge7": 1}


@contextlib.contextmanager
def simulated_clock(start: dt.datetime):
    """Run services as if at `start` (move on with `clock.at = ...`). Audit events keep the real
    time: contest.audit reads a namespace whose `now` is the real clock."""
    real_now = timezone.now
    clock = types.SimpleNamespace(at=start)
    with (
        mock.patch("django.utils.timezone.now", lambda: clock.at),
        mock.patch("contest.audit.timezone", types.SimpleNamespace(now=real_now)),
    ):
        yield clock


def _score(maximum: Decimal, quality: int, bias: int, wobble: int) -> Decimal:
    """A criterion score near quality% of its maximum, on the 0.5 step, within [0, max]."""
    raw = maximum * Decimal(quality + bias) / 100 + Decimal(wobble) / 2
    stepped = (raw * 2).quantize(Decimal("1"), rounding=ROUND_HALF_UP) / 2
    return min(max(stepped, Decimal("0")), maximum)


def _build_structure(ctx) -> tuple[Contest, dict[int, Round], dict[str, Scenario]]:

    contest = ctx.upsert(Contest, {"slug": PAST_SLUG}, {**PAST_CONTEST, "status": ContestStatus.PUBLISHED})
    for key in data.ORGANIZERS:
        ctx.upsert(
            ContestOrganization,
            {"contest": contest, "organization": ctx.orgs[key], "role": OrganizingRole.ORGANIZER},
            {},
        )
    ctx.upsert(ContestRole, {"user": ctx.users["organizer"], "contest": contest, "role": Role.ORGANIZER}, {})
    tracks = {}
    for order, (key, (name, name_en, host)) in enumerate(PAST_TRACKS.items(), start=1):
        tracks[key] = ctx.upsert(
            Track, {"contest": contest, "name": name}, {"name_en": name_en, "host": ctx.orgs[host], "order": order}
        )
    ctx.upsert(
        ContestRole,
        {"user": ctx.users["host_mfg"], "contest": contest, "role": Role.TRACK_HOST},
        {"track": tracks["P-MFG"]},
    )
    rounds = {}
    for spec in PAST_ROUNDS:
        values = {k: v for k, v in spec.items() if k != "sequence"}
        values["advancement_value"] = Decimal(values["advancement_value"])
        status = RoundStatus.OPEN if spec["sequence"] == 1 else RoundStatus.PENDING
        rounds[spec["sequence"]] = ctx.upsert(
            Round, {"contest": contest, "sequence": spec["sequence"]}, {**values, "status": status}
        )
        if spec["kind"] == "scored":
            rubric = ctx.upsert(
                Rubric,
                {"round": rounds[spec["sequence"]], "track": None},
                {"name": "评分表（百分制）", "score_step": Decimal(data.RUBRIC_STEP)},
            )
            for order, (key, name, name_en, maximum, guidance) in enumerate(data.CRITERIA, start=1):
                ctx.upsert(
                    Criterion,
                    {"rubric": rubric, "key": key},
                    {
                        "name": name,
                        "name_en": name_en,
                        "guidance": guidance,
                        "weight": Decimal("1"),
                        "max_score": Decimal(maximum),
                        "order": order,
                    },
                )
    scenarios = {}
    for index, (code, track, publisher, title, budget) in enumerate(PAST_SCENARIOS, start=1):
        scenarios[code] = ctx.upsert(
            Scenario,
            {"contest": contest, "code": code},
            {
                "track": tracks[track],
                "publisher": ctx.orgs[publisher],
                "title": title,
                "summary": f"{title}（往届演示榜单）。",
                "problem": f"发榜单位希望通过“揭榜挂帅”征集{title}的解决方案。",
                "expected_outcome": "1. 完成试点部署\n2. 关键指标达到榜单要求",
                "conditions": data.DEFAULT_CONDITIONS,
                "resources": "开放试点场地与脱敏样例数据。",
                "reward": Decimal(budget) * 10000,
                "duration_months": 9,
                "max_teams": 20,
                "contact_name": "示例联系人",
                "contact_phone": f"021-0000-20{index:02d}",
                "contact_email": f"p20-{index:02d}@example.com",
                "status": "published",
                "published_at": at(2020, 6, 1, 10),
            },
        )
    return contest, rounds, scenarios


def _judge_round(ctx, clock, round_: Round, quality: dict[int, int]) -> None:
    """Pool, automatic assignment, one submitted review per assignment, aggregation,
    publication with its publicity window, and the confirmed final list."""

    organizer = ctx.users["organizer"]
    judges = {key: ctx.users[key] for key in JUDGE_BIAS}
    clock.at = round_.judging_opens_at - dt.timedelta(days=3)
    for judge in judges.values():
        pool_member_add(actor=organizer, round_=round_, judge=judge)
    clock.at = round_.judging_opens_at
    round_ = round_open_judging(actor=organizer, round_=round_)
    assignment_auto_run(actor=organizer, round_=round_, seed=2020)
    assignments = JudgeAssignment.objects.filter(round=round_, active=True).select_related(
        "judge", "solution__scenario"
    )
    assignments = list(assignments.order_by("id"))
    step = (round_.judging_closes_at - round_.judging_opens_at) / (len(assignments) + 1)
    criteria_by_track = {}
    for number, assignment in enumerate(assignments):
        track_id = assignment.solution.scenario.track_id
        if track_id not in criteria_by_track:
            criteria_by_track[track_id] = list(
                rubric_for_track(round_=round_, track_id=track_id).criteria.order_by("order")
            )
        bias = JUDGE_BIAS[assignment.judge.username]
        scores = [
            (c.pk, str(_score(c.max_score, quality[assignment.solution_id], bias, (number + i) % 3 - 1)))
            for i, c in enumerate(criteria_by_track[track_id])
        ]
        clock.at = round_.judging_opens_at + step * (number + 1)
        review_submit(
            judge=assignment.judge,
            assignment_id=assignment.pk,
            scores=scores,
            team_comment="方案完整，指标清晰，建议补充试点阶段的量化验收指标。（演示评语）",
            comment="与同赛道方案相比落地条件较好，可作为重点推荐对象。（演示评语，仅主办方可见）",
        )
    clock.at = round_.judging_closes_at
    round_close_judging(actor=organizer, round_=round_)
    clock.at = round_.judging_closes_at + dt.timedelta(hours=16)
    results_aggregate(round_=round_, actor=organizer)
    starts, ends, confirmed = PUBLICITY[round_.sequence]
    clock.at = starts
    publication_publish(round_=round_, actor=organizer, publicity_starts_at=starts, publicity_ends_at=ends)
    clock.at = confirmed
    publication_confirm_final(round_=round_, actor=organizer)


def _build_past_edition(ctx) -> Contest:

    contest, rounds, scenarios = _build_structure(ctx)
    organizer = ctx.users["organizer"]
    password_hash: list[str] = []
    quality: dict[int, int] = {}
    solutions: dict[str, Solution] = {}
    with simulated_clock(at(2020, 6, 5, 9)) as clock:
        for index, (name, lead_key, code, score) in enumerate(PAST_TEAMS, start=1):
            clock.at = at(2020, 6, 5, 9) + dt.timedelta(days=index, hours=index % 5)
            captain = demo_user(ctx, f"p{index:02d}a", org_key=lead_key, password_hash=password_hash)
            team = team_create(actor=captain, contest=contest, name=name, lead_unit=ctx.orgs[lead_key])
            scenario = scenarios[code]
            title = f"{scenario.title}——{name}方案"
            abstract = f"{name}面向{scenario.title}的解决方案（往届演示数据）。"
            solution = solution_create(actor=captain, team=team, scenario=scenario, title=title, abstract=abstract)
            version = solution_version_create(
                actor=captain, solution=solution, title=title, abstract=abstract, uploads=pdf_uploads(f"2020{name}")
            )
            clock.at += dt.timedelta(days=7)
            solution_submit(actor=captain, solution=solution, version_number=version.number)
            quality[solution.pk] = score
            solutions[name] = solution
        for index, (name, solution) in enumerate(solutions.items()):
            clock.at = at(2020, 7, 2, 10) + dt.timedelta(minutes=10 * index)
            if name == DISQUALIFIED:
                eligibility_decide(
                    actor=organizer, solution=solution, outcome="disqualified", reason="牵头单位营业执照已过期。"
                )
            else:
                eligibility_decide(actor=organizer, solution=solution, outcome="qualified")
        Round.objects.filter(pk=rounds[1].pk).update(status=RoundStatus.CLOSED)
        _judge_round(ctx, clock, Round.objects.get(pk=rounds[2].pk), quality)
        _judge_round(ctx, clock, Round.objects.get(pk=rounds[3].pk), quality)
        clock.at = at(2020, 9, 1, 10)
        awards_confirm(contest=contest, actor=organizer, ranges=AWARD_RANGES, merit_round=rounds[2])
        Contest.objects.filter(pk=contest.pk).update(status=ContestStatus.CLOSED)
        public_scenarios_changed()  # update() sends no post_save: tell the public read cache
    return contest


def load_demo(ctx) -> None:

    if not Contest.objects.filter(slug=PAST_SLUG).exists():
        models_ = [
            User,
            Team,
            Solution,
            SubmissionReceipt,
            EligibilityDecision,
            RoundEntry,
            JudgePoolMember,
            JudgeAssignment,
            Review,
            RoundResult,
            Publication,
            Award,
        ]
        before = count_rows(models_)
        _build_past_edition(ctx)
        record_created(ctx, before, models_)
    ctx.logins.append(("p07a", data.DEMO_PASSWORD, "captain of a 2020 winner (往届演示; p01a…p12a)"))
