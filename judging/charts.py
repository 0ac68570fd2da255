"""Score distributions for the organizer dashboard, drawn as inline SVG on the server.

A box plot per judge (their totals over every submitted review of the round) shows lenient and
severe judges at a glance; a box plot per track shows how the tracks compare. The geometry is
computed here; `judging/staff/_boxplot.html` only places the shapes. No JavaScript, no
chart library: the page works offline and under the strict CSP.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from statistics import mean, median

from contest.models import Round
from judging.enums import ReviewStatus
from judging.models import Review
from judging.selectors import rubric_list
from judging.services.scoring import judge_total

# Plot geometry in SVG user units.
WIDTH = 720
LABEL_WIDTH = 170
RIGHT_PAD = 20
ROW_HEIGHT = 34
TOP = 10
AXIS_HEIGHT = 30
BOX_HALF = 9


@dataclass
class Series:
    label: str
    values: list[float] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.values)

    def stats(self) -> dict:
        values = sorted(self.values)
        if not values:
            return {}
        half = len(values) // 2
        lower = values[:half] if len(values) > 1 else values
        upper = values[-half:] if len(values) > 1 else values
        return {
            "min": values[0],
            "q1": median(lower),
            "median": median(values),
            "q3": median(upper),
            "max": values[-1],
            "mean": mean(values),
        }


def review_totals(*, round_: Round) -> list[dict]:
    """(judge, track, total) of every submitted review in the round, in three queries."""
    criteria_by_track = {r.track_id: list(r.criteria.all()) for r in rubric_list(round_=round_)}
    rows = []
    reviews = (
        Review.objects.filter(round=round_, status=ReviewStatus.SUBMITTED)
        .select_related("judge", "solution__scenario__track")
        .prefetch_related("scores")
        .order_by("id")
    )
    for review in reviews:
        track = review.solution.scenario.track
        criteria = criteria_by_track.get(track.pk) or criteria_by_track.get(None)
        scores = {s.criterion_id: s.value for s in review.scores.all()}
        if not criteria or any(c.pk not in scores for c in criteria):
            continue
        rows.append({"judge": review.judge, "track": track, "total": judge_total(scores, criteria)})
    return rows


def _x(value: float) -> float:
    plot = WIDTH - LABEL_WIDTH - RIGHT_PAD
    return round(LABEL_WIDTH + plot * max(0.0, min(100.0, value)) / 100.0, 1)


def box_plot(series: list[Series]) -> dict | None:
    """Shapes of a horizontal box plot on a 0–100 axis, one row per series (None if empty)."""
    series = [s for s in series if s.values]
    if not series:
        return None
    rows = []
    for i, s in enumerate(series):
        st = s.stats()
        cy = TOP + ROW_HEIGHT * i + ROW_HEIGHT / 2
        dots = []
        for j, v in enumerate(s.values):
            # Deterministic jitter so equal totals stay visible as separate dots.
            offset = ((j * 7) % 5 - 2) * 2.5
            dots.append({"cx": _x(v), "cy": round(cy + offset, 1), "value": f"{v:.2f}"})
        rows.append(
            {
                "label": s.label,
                "n": s.n,
                "cy": cy,
                "text_y": cy + 4,
                "box_y": cy - BOX_HALF,
                "box_h": BOX_HALF * 2,
                "box_bottom": cy + BOX_HALF,
                "x_min": _x(st["min"]),
                "x_q1": _x(st["q1"]),
                "x_median": _x(st["median"]),
                "x_q3": _x(st["q3"]),
                "x_max": _x(st["max"]),
                "x_mean": _x(st["mean"]),
                "box_w": round(_x(st["q3"]) - _x(st["q1"]), 1),
                "whisker_top": cy - BOX_HALF / 2,
                "whisker_bottom": cy + BOX_HALF / 2,
                "dots": dots,
                "stats": {k: f"{v:.2f}" for k, v in st.items()},
            }
        )
    plot_bottom = TOP + ROW_HEIGHT * len(rows)
    ticks = [{"x": _x(t), "label": t} for t in range(0, 101, 10)]
    return {
        "width": WIDTH,
        "height": plot_bottom + AXIS_HEIGHT,
        "plot_left": LABEL_WIDTH,
        "label_x": LABEL_WIDTH - 8,
        "plot_right": WIDTH - RIGHT_PAD,
        "plot_top": TOP,
        "plot_bottom": plot_bottom,
        "tick_label_y": plot_bottom + 16,
        "ticks": ticks,
        "rows": rows,
    }


def round_distributions(*, round_: Round) -> dict:
    """{"judges": box plot per judge, "tracks": box plot per track} of the round's judge totals."""
    by_judge: dict[int, Series] = {}
    by_track: dict[int, Series] = {}
    overall: list[float] = []
    for row in review_totals(round_=round_):
        value = float(row["total"].quantize(Decimal("0.01")))
        judge, track = row["judge"], row["track"]
        by_judge.setdefault(judge.pk, Series(label=str(judge))).values.append(value)
        by_track.setdefault(track.pk, Series(label=track.name)).values.append(value)
        overall.append(value)
    judges = sorted(by_judge.values(), key=lambda s: (-mean(s.values), s.label))
    tracks = sorted(by_track.values(), key=lambda s: s.label)
    return {
        "judges": box_plot(judges),
        "tracks": box_plot(tracks),
        "overall_mean": f"{mean(overall):.2f}" if overall else None,
        "count": len(overall),
    }
