"""Idempotent steps that build the demo contest.

Every step upserts on a natural key through `DemoContext.upsert`, which writes only when a value
differs, so a second run changes no row. Workflow fields (scenario and round status) are set
only when a row is created: what demo users did since stays as it is.

Extension point: after the steps below, `load_demo` imports each module in `EXTENSIONS` that
exists and calls its `load_demo(ctx: DemoContext)`. Other apps add teams, solutions, reviews
and results there (through their own services), reading the objects built here from `ctx`
and appending logins to `ctx.logins`.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import models, transaction

from contest.audit import audit_record
from contest.enums import OrganizingRole, RoundStatus
from contest.models import Contest, ContestOrganization, ContestRole, Organization, Round, Scenario, Track, User
from contest.validators import credit_code_check_char

from . import data

# In layer order (contest ← submissions ← judging ← judging.results), named, never imported here.
EXTENSIONS = ("judging.demo", "submissions.demo", "judging.results.demo", "notifications.demo")


@dataclass
class DemoContext:
    shift: dt.timedelta
    orgs: dict[str, Organization] = field(default_factory=dict)
    contest: Contest | None = None
    tracks: dict[str, Track] = field(default_factory=dict)
    rounds: dict[int, Round] = field(default_factory=dict)
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    # (username, password, what the login shows)
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def when(self, value: dt.datetime | None) -> dt.datetime | None:
        return None if value is None else value + self.shift

    def upsert(self, model: type[models.Model], lookup: dict, values: dict, create_only: dict | None = None):
        """Get the row by its natural key; create it, or write only the values that differ."""
        obj = model.objects.filter(**lookup).first()
        label = model._meta.label
        if obj is None:
            obj = model.objects.create(**lookup, **values, **(create_only or {}))
            self.created[label] += 1
            return obj
        changed = []
        for name, value in values.items():
            f = model._meta.get_field(name)
            current = getattr(obj, f.attname)
            wanted = value.pk if isinstance(value, models.Model) else value
            if current != wanted:
                setattr(obj, name, value)
                changed.append(name)
        if changed:
            obj.save()
            self.updated[label] += 1
        return obj

    def set_m2m(self, obj, name: str, targets: list) -> None:
        manager = getattr(obj, name)
        if {o.pk for o in manager.all()} != {t.pk for t in targets}:
            manager.set(targets)
            self.updated[f"{obj._meta.label}.{name}"] += 1


def calendar_shift(*, today: dt.date, original_dates: bool) -> dt.timedelta:
    """Whole days that move the 2021 calendar so `today` falls inside round 1's submission
    window (at the same place as data.ANCHOR_DAY); every gap between dates stays the same."""
    if original_dates:
        return dt.timedelta(0)
    return dt.timedelta(days=(today - data.ANCHOR_DAY).days)


def fictional_credit_code(index: int, *, government: bool) -> str:
    """A well-formed but fictional unified social credit code (GB 32100-2015 check character)."""
    first17 = (f"11310000MB{index:07d}" if government else f"91310000MA1FL{index:04d}")[:17]
    return first17 + credit_code_check_char(first17)


def load_organizations(ctx: DemoContext) -> None:
    # A parent group is listed before its members, so it exists when a member names it.
    for index, (key, (name, short, kind, parent)) in enumerate(data.ORGANIZATIONS.items(), start=1):
        ctx.orgs[key] = ctx.upsert(
            Organization,
            {"name": name},
            {
                "short_name": short,
                "kind": kind,
                "credit_code": fictional_credit_code(index, government=kind == "government"),
                "parent": ctx.orgs[parent] if parent else None,
            },
        )


def load_contest(ctx: DemoContext) -> None:
    values = {k: v for k, v in data.CONTEST.items() if k != "slug"}
    ctx.contest = ctx.upsert(Contest, {"slug": data.CONTEST["slug"]}, {**values, "status": "published"})
    for key in data.ORGANIZERS:
        ctx.upsert(
            ContestOrganization,
            {"contest": ctx.contest, "organization": ctx.orgs[key], "role": OrganizingRole.ORGANIZER},
            {},
        )
    for key in data.HOSTS:
        ctx.upsert(
            ContestOrganization,
            {"contest": ctx.contest, "organization": ctx.orgs[key], "role": OrganizingRole.HOST},
            {},
        )


def load_tracks(ctx: DemoContext) -> None:
    for order, (key, (name, name_en, hosts)) in enumerate(data.TRACKS.items(), start=1):
        track = ctx.upsert(
            Track,
            {"contest": ctx.contest, "name": name},
            {"name_en": name_en, "host": ctx.orgs[hosts[0]], "order": order},
        )
        ctx.set_m2m(track, "co_hosts", [ctx.orgs[h] for h in hosts[1:]])
        ctx.tracks[key] = track


def load_rounds(ctx: DemoContext) -> None:
    for spec in data.ROUNDS:
        values = {k: v for k, v in spec.items() if k != "sequence"}
        for name in (
            "submission_opens_at",
            "submission_deadline",
            "judging_opens_at",
            "judging_closes_at",
            "publish_at",
        ):
            values[name] = ctx.when(values[name])
        values["advancement_value"] = Decimal(values["advancement_value"])
        status = RoundStatus.OPEN if spec["sequence"] == 1 else RoundStatus.PENDING
        ctx.rounds[spec["sequence"]] = ctx.upsert(
            Round, {"contest": ctx.contest, "sequence": spec["sequence"]}, values, create_only={"status": status}
        )


def _scenario_texts(spec: dict) -> dict:
    number = spec["code"].split("-")[1]
    problem = spec["need"] + "。"
    if spec.get("background"):
        problem = f"{spec['background']}\n\n主要痛点：{spec['need']}。"
    goals = "\n".join(f"{i}. {goal}" for i, goal in enumerate(spec["goals"], start=1))
    return {
        "title": spec["title"],
        "summary": f"{spec['need']}。揭榜目标：{'；'.join(spec['goals'])}。",
        "problem": problem,
        "expected_outcome": f"{goals}\n实施周期：{spec['months']}个月，签约后按里程碑验收。",
        "conditions": spec.get("conditions", data.DEFAULT_CONDITIONS),
        "resources": spec["resources"],
        "reward": Decimal(spec["budget_wan"]) * 10000,
        "duration_months": spec["months"],
        "max_teams": 20,
        "contact_name": spec["contact"],
        "contact_phone": f"021-0000-00{number}",
        "contact_email": f"sc{number}@example.com",
    }


def load_scenarios(ctx: DemoContext) -> None:
    published_at = ctx.when(data.ROUNDS[0]["submission_opens_at"])
    for spec in [*data.SCENARIOS, *data.EXTRA_SCENARIOS]:
        status = spec.get("status", "published")
        values = {"track": ctx.tracks[spec["track"]], "publisher": ctx.orgs[spec["publisher"]], **_scenario_texts(spec)}
        create_only = {"status": status}
        if status == "published":
            # Published with the contest: moves with the calendar.
            values["published_at"] = published_at
        ctx.scenarios[spec["code"]] = ctx.upsert(
            Scenario, {"contest": ctx.contest, "code": spec["code"]}, values, create_only=create_only
        )


def load_users(ctx: DemoContext) -> None:
    for key, (username, full_name, org_key, roles, flags) in data.USERS.items():
        user = ctx.upsert(
            User,
            {"username": username},
            {
                "full_name": full_name,
                "email": f"{username}@example.com",
                "verified_email": f"{username}@example.com",  # demo addresses count as proven
                "organization": ctx.orgs[org_key] if org_key else None,
                "is_active": True,
                **flags,
            },
            create_only={"password": make_password(data.DEMO_PASSWORD)},
        )
        # Hashing again would change the row (new salt): set the password only when it differs.
        if not user.check_password(data.DEMO_PASSWORD):
            user.set_password(data.DEMO_PASSWORD)
            user.save(update_fields=["password"])
            ctx.updated["contest.User.password"] += 1
        for role, target in roles:
            scope = (
                {"track": ctx.tracks[target]}
                if role == "track_host"
                else {"organization": ctx.orgs[target] if target else None}
            )
            ctx.upsert(ContestRole, {"user": user, "contest": ctx.contest, "role": role}, scope)
        ctx.users[key] = user
        label = data.ROLE_LABELS.get(key) or ("judge 评委" + (" (上海银行: conflict)" if org_key == "ORG-BOS" else ""))
        ctx.logins.append((username, data.DEMO_PASSWORD, label))


STEPS = (load_organizations, load_contest, load_tracks, load_rounds, load_scenarios, load_users)


def _extensions():
    for name in EXTENSIONS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        hook = getattr(module, "load_demo", None)
        if hook is not None:
            yield hook


@transaction.atomic
def build_demo(*, today: dt.date, original_dates: bool = False) -> DemoContext:
    """Build (or bring up to date) the demo contest; returns the context with the logins.

    Side effects: rows of the contest domain (and of the extensions); one audit event
    `demo.load` when anything changed. Idempotent.
    """
    ctx = DemoContext(shift=calendar_shift(today=today, original_dates=original_dates))
    for step in STEPS:
        step(ctx)
    for hook in _extensions():
        hook(ctx)
    if ctx.changed:
        audit_record(
            actor=None,
            action="demo.load",
            obj=ctx.contest,
            after={"created": dict(ctx.created), "updated": dict(ctx.updated), "shift_days": ctx.shift.days},
        )
    return ctx
