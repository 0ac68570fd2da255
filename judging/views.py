"""Public results pages: published results per round and track, the award list, certificate checks.

Only published data is shown: a round's results appear once a Publication exists for it, and
the page renders the published table (the one its digest fixes), never live RoundResult rows.
"""

from django.db.models import Prefetch
from django.shortcuts import render
from django.utils.translation import gettext as _

from contest.views import contest_for_user

from .forms import CertificateVerifyForm
from .models import Award, Publication


def _published_publications(contest):
    """The current (not superseded) publication of each round of the contest, oldest round first."""
    try:
        from judging import results_selectors
    except ImportError:  # pragma: no cover - the results module is optional for these pages
        results_selectors = None
    if results_selectors is not None and hasattr(results_selectors, "publication_list_public"):
        return list(results_selectors.publication_list_public(contest=contest))
    return list(
        Publication.objects.filter(round__contest=contest, superseded=False)
        .select_related("round")
        .order_by("round__sequence", "-number")
    )


def _rows(table) -> list[dict]:
    """Rows of a published table. Tables are a list of row dicts or {"rows": [...]}."""
    if isinstance(table, dict):
        table = table.get("rows") or table.get("results") or []
    return [row for row in table if isinstance(row, dict)] if isinstance(table, list) else []


def _row_value(row: dict, *names, default=""):
    for name in names:
        if row.get(name) not in (None, ""):
            return row[name]
    return default


def _normalise_row(row: dict) -> dict:
    return {
        "rank": _row_value(row, "rank", "final_rank"),
        "track": _row_value(row, "track", "track_name", "group_label", "group"),
        "scenario": _row_value(row, "scenario", "scenario_title"),
        "solution": _row_value(row, "solution", "solution_title", "title"),
        "team": _row_value(row, "team", "team_name"),
        "lead_unit": _row_value(row, "lead_unit", "lead_unit_name"),
        "score": _row_value(row, "score", "aggregate"),
        "advanced": bool(row.get("advanced")),
        "incomplete": bool(row.get("incomplete")),
        "disqualified": bool(row.get("disqualified")),
        "tie_rule": _row_value(row, "tie_rule_label", "tie_rule"),
    }


def results(request, slug):
    contest = contest_for_user(user=request.user, slug=slug)
    track_filter = request.GET.get("track", "")
    seen_rounds = set()
    sections = []
    for publication in _published_publications(contest):
        if publication.round_id in seen_rounds:
            continue
        seen_rounds.add(publication.round_id)
        rows = [_normalise_row(r) for r in _rows(publication.table)]
        tracks = sorted({str(r["track"]) for r in rows if r["track"]})
        if track_filter:
            rows = [r for r in rows if str(r["track"]) == track_filter]
        groups = {}
        for row in rows:
            groups.setdefault(str(row["track"]) or _("All solutions"), []).append(row)
        sections.append({"publication": publication, "groups": groups, "tracks": tracks})
    all_tracks = sorted({t for s in sections for t in s["tracks"]})
    return render(
        request,
        "judging/results.html",
        {"contest": contest, "sections": sections, "tracks": all_tracks, "track_filter": track_filter},
    )


def _award_queryset():
    return Award.objects.select_related(
        "contest", "solution", "solution__team", "solution__team__lead_unit", "solution__scenario"
    ).prefetch_related(Prefetch("solution__team__co_units"))


def award_list(request, slug):
    contest = contest_for_user(user=request.user, slug=slug)
    awards = _award_queryset().filter(contest=contest, confirmed_at__isnull=False).order_by("final_rank", "id")
    return render(request, "judging/award_list.html", {"contest": contest, "awards": awards})


def certificate_verify(request):
    form = CertificateVerifyForm(request.GET or None)
    award = None
    checked = False
    if form.is_bound and form.is_valid():
        checked = True
        award = (
            _award_queryset()
            .filter(verification_code__iexact=form.cleaned_data["code"], confirmed_at__isnull=False)
            .first()
        )
    return render(request, "judging/certificate_verify.html", {"form": form, "award": award, "checked": checked})
