"""The demo's rubrics: one 100-point sheet (step 0.5) per scored round of the current contest.

A `contest.demo.loader` extension (`load_demo`), run first among them, so the rounds have their
rubrics before teams and solutions exist; the past edition's judging and results are built by
`judging.results.demo`.
"""

from decimal import Decimal

from contest.demo import data
from contest.demo.loader import DemoContext

from .models import Criterion, Rubric


def load_demo(ctx: DemoContext) -> None:
    load_rubrics(ctx)


def load_rubrics(ctx: DemoContext) -> None:
    """One rubric (the 100-point sheet, step 0.5) per scored round."""
    for round_ in ctx.rounds.values():
        if round_.kind != "scored":
            continue
        rubric = ctx.upsert(
            Rubric,
            {"round": round_, "track": None},
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
