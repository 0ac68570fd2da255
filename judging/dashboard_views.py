"""Organizer dashboard: one contest's queues and controls, and one round's judging and results.

Pages (GET renders, POST runs one action named by `op` on the object named by `target`, then
redirects; a form with errors is rendered again with the errors next to its fields):
- contest: scenario approvals, rounds with judging open/close controls, links to the queues;
- round: judge pool, auto-assignment with its report of gaps, progress per track and per judge,
  score distributions (inline SVG);
- results: aggregation trigger and its progress, advancement list with overrides, committee
  decisions on ties the chain left unresolved, publication, confirming the final list, exports;
- qualification: the qualification queue of the first round;
- objections, awards.
Every action calls the same service as the API. Non-organizers get 403 (404 when the contest
is invisible to them).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from config.api import ApplicationError
from contest.enums import Role, RoundKind, RoundStatus, ScenarioStatus
from contest.forms import add_service_error
from contest.models import Contest, Round, Scenario
from contest.roles import hosted_track_ids, is_organizer
from contest.security_events import record_form_refusal
from contest.selectors import contest_list_for_user
from contest.services import scenario_approve, scenario_reject
from judging import charts
from judging.dashboard_forms import (
    AdvancementOverrideForm,
    AggregateForm,
    AutoAssignForm,
    AwardReissueForm,
    AwardRevokeForm,
    AwardsForm,
    ObjectionDecideForm,
    PoolAddForm,
    PublishForm,
    QualificationForm,
    RoundOpenForm,
    ScenarioRejectForm,
    TieDecisionForm,
)
from judging.models import ConflictFlag, JudgePoolMember
from judging.permissions import can_manage_pool_member, can_run_track_judging, can_set_pool_tracks
from judging.results.enums import ObjectionStatus, TieRule
from judging.results.models import Award, Objection, RoundResult
from judging.selectors import blind_title_flags, conflict_flag_list, pool_list, track_scope
from judging.services.assignment import REASON_CAPS, REASON_NO_POOL, REASON_NOT_ENOUGH, assignment_auto_run
from judging.services.conflicts import conflict_flag_resolve
from judging.services.pools import pool_member_add, pool_member_remove
from judging.services.progress import round_progress
from judging.services.rounds import OPENABLE, round_close_judging, round_open_judging
from submissions.enums import SolutionStatus
from submissions.models import Solution
from submissions.selectors import qualification_round, round_deadline_passed
from submissions.services import eligibility_decide

SESSION_REPORT = "dashboard:auto-assign:{}"


# --- access ---------------------------------------------------------------------------------------


def _organizer_contest(request, slug) -> Contest:
    contest = get_object_or_404(contest_list_for_user(user=request.user), slug=slug)
    if not is_organizer(request.user, contest):
        raise PermissionDenied
    return contest


def _organizer_round(request, pk) -> Round:
    round_ = get_object_or_404(Round.objects.select_related("contest"), pk=pk)
    if not contest_list_for_user(user=request.user).filter(pk=round_.contest_id).exists():
        raise PermissionDenied
    if not is_organizer(request.user, round_.contest):
        raise PermissionDenied
    return round_


def _judging_round(request, pk) -> tuple[Round, set[int] | None]:
    """The round page's round and the tracks the user runs there (None: every track, organizers)."""
    round_ = get_object_or_404(Round.objects.select_related("contest"), pk=pk)
    if not contest_list_for_user(user=request.user).filter(pk=round_.contest_id).exists():
        raise PermissionDenied
    if not can_run_track_judging(request.user, round_):
        raise PermissionDenied
    return round_, track_scope(request.user, round_)


def _target(request) -> int | None:
    try:
        return int(request.POST.get("target", ""))
    except ValueError:
        return None


def _act(request, action, success: str, form=None) -> bool:
    """Run a service call; on a domain error put it on the form (or in a message)."""
    try:
        action()
    except (ApplicationError, ValidationError) as exc:
        record_form_refusal(exc)  # a refused state change is recorded
        if form is not None:
            add_service_error(form, exc)
        else:
            detail = getattr(exc, "detail", None) or "; ".join(getattr(exc, "messages", [str(exc)]))
            messages.error(request, str(detail))
        return False
    messages.success(request, success)
    return True


def _pct(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


# --- organizer home and contest dashboard ------------------------------------------------------


@login_required
def organizer_home(request):
    visible = contest_list_for_user(user=request.user)
    contests = visible
    if not request.user.is_superuser:
        contests = contests.filter(roles__user=request.user, roles__role=Role.ORGANIZER)
    contests = list(contests.distinct().order_by("-id"))
    # Track hosts (承办) reach the judging pages of their tracks' rounds, nothing else.
    hosted = []
    organizer_ids = {c.pk for c in contests}
    for contest in visible.filter(roles__user=request.user, roles__role=Role.TRACK_HOST).distinct().order_by("-id"):
        if contest.pk in organizer_ids:
            continue
        tracks = contest.tracks.filter(pk__in=hosted_track_ids(request.user, contest))
        rounds = contest.rounds.filter(kind=RoundKind.SCORED).order_by("sequence")
        hosted.append({"contest": contest, "tracks": list(tracks), "rounds": list(rounds)})
    if not contests and not hosted:
        raise PermissionDenied
    return render(request, "judging/dashboard/home.html", {"contests": contests, "hosted": hosted})


def _round_rows(contest: Contest, open_forms: dict) -> list[dict]:
    rows = []
    for r in contest.rounds.order_by("sequence"):
        progress = round_progress(round_=r)["round"] if r.kind == RoundKind.SCORED else None
        if progress is not None:
            progress["percent"] = _pct(progress["submitted"], progress["assigned"])
        rows.append(
            {
                "round": r,
                "progress": progress,
                "can_open": r.status in OPENABLE and r.kind == RoundKind.SCORED,
                "can_close": r.status == RoundStatus.JUDGING,
                "open_form": open_forms.get(r.pk)
                or RoundOpenForm(target=r.pk, initial={"closes_at": r.judging_closes_at}),
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def dashboard_contest(request, slug):
    contest = _organizer_contest(request, slug)
    reject_forms: dict[int, ScenarioRejectForm] = {}
    open_forms: dict[int, RoundOpenForm] = {}
    if request.method == "POST":
        op, target = request.POST.get("op"), _target(request)
        if op in ("approve", "reject"):
            scenario = get_object_or_404(Scenario, pk=target, contest=contest)
            if op == "approve":
                _act(
                    request,
                    lambda: scenario_approve(actor=request.user, scenario=scenario),
                    _("“%(title)s” is published.") % {"title": scenario.title},
                )
                return redirect(request.path)
            form = ScenarioRejectForm(request.POST, target=scenario.pk)
            if form.is_valid() and _act(
                request,
                lambda: scenario_reject(actor=request.user, scenario=scenario, reason=form.cleaned_data["reason"]),
                _("“%(title)s” was returned to its publisher.") % {"title": scenario.title},
                form=form,
            ):
                return redirect(request.path)
            reject_forms[scenario.pk] = form
        elif op in ("open", "close"):
            round_ = get_object_or_404(Round, pk=target, contest=contest)
            if op == "close":
                _act(
                    request,
                    lambda: round_close_judging(actor=request.user, round_=round_),
                    _("Judging in %(round)s is closed.") % {"round": round_.name},
                )
                return redirect(request.path)
            form = RoundOpenForm(request.POST, target=round_.pk)
            if form.is_valid() and _act(
                request,
                lambda: round_open_judging(actor=request.user, round_=round_, closes_at=form.cleaned_data["closes_at"]),
                _("Judging in %(round)s is open.") % {"round": round_.name},
                form=form,
            ):
                return redirect(request.path)
            open_forms[round_.pk] = form
        else:
            messages.error(request, _("Unknown action."))
            return redirect(request.path)

    pending = list(
        Scenario.objects.filter(contest=contest, status=ScenarioStatus.PENDING_REVIEW)
        .select_related("track", "publisher", "created_by")
        .order_by("updated_at", "id")
    )
    for scenario in pending:
        scenario.reject_form = reject_forms.get(scenario.pk) or ScenarioRejectForm(target=scenario.pk)
    q_round = qualification_round(contest)
    counts = {
        "pending_scenarios": len(pending),
        "qualification": Solution.objects.filter(
            contest=contest, status__in=(SolutionStatus.SUBMITTED, SolutionStatus.SUPPLEMENT_REQUESTED)
        ).count(),
        "objections": Objection.objects.filter(
            publication__round__contest=contest, status=ObjectionStatus.OPEN
        ).count(),
        "awards": Award.objects.filter(contest=contest).count(),
    }
    context = {
        "contest": contest,
        "pending": pending,
        "rounds": _round_rows(contest, open_forms),
        "q_round": q_round,
        "counts": counts,
        "section": "contest",
    }
    return render(request, "judging/dashboard/contest.html", context)


# --- round: pool, assignment, progress, distributions ------------------------------------------

REASON_LABELS = {
    REASON_NO_POOL: gettext_lazy("no judge in the pool for its track"),
    REASON_NOT_ENOUGH: gettext_lazy("not enough judges without a conflict of interest"),
    REASON_CAPS: gettext_lazy("the eligible judges reached their load caps"),
}


def _report_for_display(report: dict) -> dict:
    titles = dict(
        Solution.objects.filter(pk__in=[s["solution_id"] for s in report.get("short", [])]).values_list("id", "title")
    )
    report = dict(report)
    report["short"] = [
        {**s, "title": titles.get(s["solution_id"], ""), "reason_label": str(REASON_LABELS.get(s["reason"], ""))}
        for s in report.get("short", [])
    ]
    return report


@login_required
@require_http_methods(["GET", "POST"])
def dashboard_round(request, pk):
    round_, scope = _judging_round(request, pk)
    pool_form = PoolAddForm(round_=round_, track_ids=scope)
    if request.method == "POST":
        op = request.POST.get("op")
        if op == "pool_add":
            pool_form = PoolAddForm(request.POST, round_=round_, track_ids=scope)
            if pool_form.is_valid():
                data = pool_form.cleaned_data
                tracks = list(data["tracks"]) or (
                    [] if scope is None else list(round_.contest.tracks.filter(pk__in=scope))
                )
                if not can_set_pool_tracks(request.user, round_, [t.pk for t in tracks]):
                    raise PermissionDenied
                if _act(
                    request,
                    lambda: pool_member_add(
                        actor=request.user,
                        round_=round_,
                        judge=data["judge"],
                        tracks=tracks,
                        group=data["group"],
                        load_cap=data["load_cap"],
                    ),
                    _("%(judge)s joined the judge pool.") % {"judge": data["judge"]},
                    form=pool_form,
                ):
                    return redirect(request.path)
        elif op == "pool_remove":
            member = get_object_or_404(JudgePoolMember, pk=_target(request), round=round_)
            if not can_manage_pool_member(request.user, member):
                raise PermissionDenied
            _act(
                request,
                lambda: pool_member_remove(actor=request.user, member=member),
                _("%(judge)s left the judge pool.") % {"judge": member.judge},
            )
            return redirect(request.path)
        elif op in ("flag_void", "flag_keep"):
            flag = get_object_or_404(ConflictFlag, pk=_target(request), round=round_)
            _act(
                request,
                lambda: conflict_flag_resolve(
                    actor=request.user, flag=flag, void=op == "flag_void", reason=request.POST.get("reason", "")
                ),
                _("The flagged review was voided.") if op == "flag_void" else _("The flagged review is kept."),
            )
            return redirect(request.path)
        elif op == "auto_assign":
            try:
                report = assignment_auto_run(actor=request.user, round_=round_, track_ids=scope)
            except ApplicationError as exc:
                record_form_refusal(exc)  # a refused state change is recorded
                messages.error(request, str(exc.detail))
            else:
                data = report.as_dict()
                data["short"] = data["short"][:100]
                data.pop("loads", None)
                request.session[SESSION_REPORT.format(round_.pk)] = data
                messages.success(
                    request,
                    _(
                        "Auto-assignment done: %(created)s new assignments; "
                        "%(complete)s of %(solutions)s solutions have enough judges."
                    )
                    % {"created": report.created, "complete": report.complete, "solutions": report.solutions},
                )
            return redirect(request.path)
        else:
            messages.error(request, _("Unknown action."))
            return redirect(request.path)

    report = request.session.get(SESSION_REPORT.format(round_.pk))
    progress = round_progress(round_=round_, track_ids=scope)
    track_names = dict(round_.contest.tracks.values_list("id", "name"))
    for row in progress["tracks"]:
        row["name"] = track_names.get(row["track_id"], "")
        row["percent"] = _pct(row["submitted"], row["assigned"])
    for row in progress["judges"]:
        row["name"] = row["full_name"] or row["username"]
        row["percent"] = _pct(row["submitted"], row["assigned"])
    progress["round"]["percent"] = _pct(progress["round"]["submitted"], progress["round"]["assigned"])
    context = {
        "contest": round_.contest,
        "round": round_,
        "pool": [
            {"member": m, "removable": scope is None or can_manage_pool_member(request.user, m)}
            for m in pool_list(round_=round_, track_ids=scope)
        ],
        "flags": conflict_flag_list(round_=round_),
        "pool_form": pool_form,
        "auto_form": AutoAssignForm(),
        "report": _report_for_display(report) if report else None,
        "progress": progress,
        # Score distributions are scores: organizers only, never a track host.
        "charts": charts.round_distributions(round_=round_) if scope is None else None,
        "host_view": scope is not None,
        "title_flags": blind_title_flags(round_=round_) if scope is None and round_.blind_review else None,
        "scored_rounds": round_.contest.rounds.filter(kind=RoundKind.SCORED).order_by("sequence"),
        "section": "round",
    }
    return render(request, "judging/dashboard/round.html", context)


# --- round results: aggregation, advancement, publication, exports --------------------------------


def _tie_groups(results: list[RoundResult]) -> list[list[RoundResult]]:
    """The groups of results that share a rank after the whole tie chain (awaiting the
    committee), each ordered by solution id, in the order of the results."""
    groups: dict[tuple[str, int], list[RoundResult]] = {}
    for r in results:
        if r.tie_rule == TieRule.SHARED and r.rank is not None:
            groups.setdefault((r.group_key, r.rank), []).append(r)
    return [sorted(members, key=lambda r: r.solution_id) for members in groups.values() if len(members) > 1]


def _tie_group_of(round_: Round, result: RoundResult) -> list[RoundResult]:
    if result.tie_rule != TieRule.SHARED or result.rank is None:
        return []
    return list(
        RoundResult.objects.filter(round=round_, group_key=result.group_key, rank=result.rank, tie_rule=TieRule.SHARED)
        .select_related("solution")
        .order_by("solution_id")
    )


@login_required
@require_http_methods(["GET", "POST"])
def dashboard_results(request, pk):
    from judging.results.selectors import (
        objection_pending_solution_ids,
        objections_open_count,
        result_list_for_organizer,
    )
    from judging.results.services.advancement import advancement_override
    from judging.results.services.aggregation import aggregation_enqueue, aggregation_status_get
    from judging.results.services.publication import (
        confirm_final_blocker,
        current_publication,
        publication_confirm_final,
        publication_differs,
        publication_publish,
    )
    from judging.results.services.ranking import tie_decision_record

    round_ = _organizer_round(request, pk)
    override_forms: dict[int, AdvancementOverrideForm] = {}
    tie_form: TieDecisionForm | None = None
    publish_form = PublishForm()
    if request.method == "POST":
        op, target = request.POST.get("op"), _target(request)
        if op == "aggregate":
            _act(
                request,
                lambda: aggregation_enqueue(round_=round_, actor=request.user),
                _("Aggregation has started."),
            )
            return redirect(request.path)
        if op == "override":
            result = get_object_or_404(RoundResult, round=round_, solution_id=target)
            form = AdvancementOverrideForm(request.POST, target=result.solution_id)
            if form.is_valid() and _act(
                request,
                lambda: advancement_override(
                    round_=round_,
                    solution_id=result.solution_id,
                    advanced=form.cleaned_data["advanced"],
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                ),
                _("The advancement list has been changed."),
                form=form,
            ):
                return redirect(request.path)
            override_forms[result.solution_id] = form
        elif op == "publish":
            publish_form = PublishForm(request.POST)
            if publish_form.is_valid() and _act(
                request,
                lambda: publication_publish(
                    round_=round_,
                    actor=request.user,
                    publicity_starts_at=publish_form.cleaned_data["publicity_starts_at"],
                    publicity_ends_at=publish_form.cleaned_data["publicity_ends_at"],
                ),
                _("The results are published."),
                form=publish_form,
            ):
                return redirect(request.path)
        elif op == "tie_decide":
            result = get_object_or_404(RoundResult, round=round_, solution_id=target)
            group = _tie_group_of(round_, result)
            if len(group) < 2:
                messages.error(request, _("These solutions no longer share a rank; see the table below."))
                return redirect(request.path)
            tie_form = TieDecisionForm(request.POST, target=group[0].solution_id, results=group)
            if tie_form.is_valid() and _act(
                request,
                lambda: tie_decision_record(
                    round_=round_,
                    solution_ids=tie_form.cleaned_data["solution_ids"],
                    reason=tie_form.cleaned_data["reason"],
                    actor=request.user,
                ),
                _("The committee's decision is recorded and the ranking updated."),
                form=tie_form,
            ):
                return redirect(request.path)
        elif op == "confirm_final":
            _act(
                request,
                lambda: publication_confirm_final(round_=round_, actor=request.user),
                _("The final list is confirmed and advancement is applied."),
            )
            return redirect(request.path)
        else:
            messages.error(request, _("Unknown action."))
            return redirect(request.path)

    results = list(
        result_list_for_organizer(user=request.user, round_=round_)
        .select_related("solution__scenario__track", "solution__team__lead_unit")
        .order_by("group_key", "rank", "id")
    )
    pending = objection_pending_solution_ids(solution_ids=[r.solution_id for r in results], round_=round_)
    for r in results:
        r.objection_pending = r.solution_id in pending
        r.override_form = override_forms.get(r.solution_id) or AdvancementOverrideForm(
            target=r.solution_id, initial={"advanced": "0" if r.advanced else "1"}
        )
    tie_groups = []
    for members in _tie_groups(results):
        form = tie_form if tie_form is not None and tie_form.target == members[0].solution_id else None
        kind = members[0].group_key.partition(":")[0]
        scenario = members[0].solution.scenario
        tie_groups.append(
            {
                "results": members,
                "group": {"track": scenario.track.name, "scenario": scenario.title}.get(kind, ""),
                "form": form or TieDecisionForm(target=members[0].solution_id, results=members),
            }
        )
    publication = current_publication(round_)
    exports = [
        {
            "label": label,
            "url": reverse("results-export", kwargs={"round_id": round_.pk, "kind": kind, "fmt": fmt}),
        }
        for kind, fmt, label in (
            ("results", "csv", _("Results (CSV)")),
            ("results", "xlsx", _("Results (Excel)")),
            ("scores", "csv", _("Judges' score sheets (CSV)")),
            ("scores", "xlsx", _("Judges' score sheets (Excel)")),
            ("reviews", "csv", _("Judges' comments, for the team and confidential (CSV)")),
            ("reviews", "xlsx", _("Judges' comments, for the team and confidential (Excel)")),
        )
    ]
    status = aggregation_status_get(round_=round_)
    status["updated"] = parse_datetime(status["updated_at"]) if status.get("updated_at") else None
    context = {
        "contest": round_.contest,
        "round": round_,
        "status": status,
        "status_url": reverse("results-aggregate-status", kwargs={"round_id": round_.pk}),
        "aggregate_form": AggregateForm(),
        "results": results,
        "advancing": sum(1 for r in results if r.advanced),
        "tie_groups": tie_groups,
        "publication": publication,
        "publication_differs": bool(publication and publication_differs(publication=publication)),
        "publish_form": publish_form,
        "confirm_final_blocker": confirm_final_blocker(round_=round_, publication=publication),
        "open_objections": objections_open_count(round_=round_),
        "exports": exports,
        "section": "results",
    }
    return render(request, "judging/dashboard/results.html", context)


# --- qualification queue -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def dashboard_qualification(request, slug):
    from contest.clock import now

    contest = _organizer_contest(request, slug)
    q_round = qualification_round(contest)
    forms_by_solution: dict[int, QualificationForm] = {}
    queue_statuses = (SolutionStatus.SUBMITTED, SolutionStatus.SUPPLEMENT_REQUESTED)
    if request.method == "POST":
        if request.POST.get("op") != "qualify":
            messages.error(request, _("Unknown action."))
            return redirect(request.path)
        solution = get_object_or_404(Solution, pk=_target(request), contest=contest)
        form = QualificationForm(request.POST, target=solution.pk)
        if form.is_valid() and _act(
            request,
            lambda: eligibility_decide(
                actor=request.user,
                solution=solution,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
                supplement_deadline=form.cleaned_data["supplement_deadline"],
            ),
            _("The decision on “%(title)s” is recorded.") % {"title": solution.title},
            form=form,
        ):
            return redirect(request.path)
        forms_by_solution[solution.pk] = form

    queue = list(
        Solution.objects.filter(contest=contest, status__in=queue_statuses)
        .select_related("team", "team__lead_unit", "scenario", "scenario__track", "final_version")
        .prefetch_related("final_version__files")
        .order_by("submitted_at", "id")
    )
    for s in queue:
        s.decision_form = forms_by_solution.get(s.pk) or QualificationForm(target=s.pk)
        s.files = [
            {"f": f, "url": reverse("submissions-api:file-download", kwargs={"pk": f.pk})}
            for f in (s.final_version.files.all() if s.final_version else [])
        ]
    decided = (
        Solution.objects.filter(contest=contest, eligibility_decisions__isnull=False)
        .exclude(status__in=queue_statuses)
        .annotate(decisions=Count("eligibility_decisions"))
        .select_related("team", "scenario")
        .order_by("-updated_at")[:50]
    )
    context = {
        "contest": contest,
        "q_round": q_round,
        "review_open": bool(q_round and round_deadline_passed(q_round, now())),
        "queue": queue,
        "decided": decided,
        "section": "qualification",
    }
    return render(request, "judging/dashboard/qualification.html", context)


# --- objections ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def dashboard_objections(request, slug):
    from judging.results.selectors import objection_list_for_user
    from judging.results.services.objections import objection_decide

    contest = _organizer_contest(request, slug)
    forms_by_objection: dict[int, ObjectionDecideForm] = {}
    if request.method == "POST":
        if request.POST.get("op") != "decide":
            messages.error(request, _("Unknown action."))
            return redirect(request.path)
        objection = get_object_or_404(Objection, pk=_target(request), publication__round__contest=contest)
        form = ObjectionDecideForm(request.POST, target=objection.pk)
        if form.is_valid() and _act(
            request,
            lambda: objection_decide(
                objection=objection,
                actor=request.user,
                uphold=form.cleaned_data["decision"] == "uphold",
                response=form.cleaned_data["response"],
            ),
            _("The objection has been decided."),
            form=form,
        ):
            return redirect(request.path)
        forms_by_objection[objection.pk] = form
    objections = list(
        objection_list_for_user(user=request.user, contest=contest).select_related(
            "solution__team", "publication__round"
        )
    )
    objections.sort(key=lambda o: (o.status != ObjectionStatus.OPEN, o.pk))
    for o in objections:
        if o.status == ObjectionStatus.OPEN:
            o.decide_form = forms_by_objection.get(o.pk) or ObjectionDecideForm(target=o.pk)
    context = {"contest": contest, "objections": objections, "section": "objections"}
    return render(request, "judging/dashboard/objections.html", context)


# --- awards ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def dashboard_awards(request, slug):
    """Before confirmation: the rank-range form. Once awards exist they are shown as confirmed
    (no range form: confirming again is refused), each with revoke and, once revoked, re-issue."""
    from judging.results.selectors import objection_pending_solution_ids
    from judging.results.services.awards import award_reissue, award_revoke, awards_confirm, final_round
    from judging.results.services.publication import current_publication

    contest = _organizer_contest(request, slug)
    awards = list(
        Award.objects.filter(contest=contest)
        .select_related("revoked_by", "replaces")
        .order_by(F("final_rank").asc(nulls_last=True), "id")
    )
    form = None if awards else AwardsForm(contest=contest)
    revoke_forms: dict[int, AwardRevokeForm] = {}
    reissue_forms: dict[int, AwardReissueForm] = {}
    if request.method == "POST":
        op = request.POST.get("op")
        if op == "awards" and awards:
            # Confirmed awards are never re-ranked: the service refuses; say why.
            _act(request, lambda: awards_confirm(contest=contest, actor=request.user), "")
            return redirect(request.path)
        if op == "awards":
            form = AwardsForm(request.POST, contest=contest)
            if form.is_valid() and _act(
                request,
                lambda: awards_confirm(
                    contest=contest,
                    actor=request.user,
                    ranges=form.cleaned_data["ranges"],
                    merit_round=form.cleaned_data["merit_round"],
                ),
                _("The awards are confirmed."),
                form=form,
            ):
                return redirect(request.path)
        elif op in ("revoke", "reissue"):
            award = get_object_or_404(Award, pk=_target(request), contest=contest)
            if op == "revoke":
                revoke_form = AwardRevokeForm(request.POST, target=award.pk)
                if revoke_form.is_valid() and _act(
                    request,
                    lambda: award_revoke(award=award, actor=request.user, reason=revoke_form.cleaned_data["reason"]),
                    _("The award is revoked."),
                    form=revoke_form,
                ):
                    return redirect(request.path)
                revoke_forms[award.pk] = revoke_form
            else:
                reissue_form = AwardReissueForm(request.POST, target=award.pk)
                if reissue_form.is_valid() and _act(
                    request,
                    lambda: award_reissue(revoked=award, actor=request.user, **reissue_form.cleaned_data),
                    _("The award is issued again with a new certificate code."),
                    form=reissue_form,
                ):
                    return redirect(request.path)
                reissue_forms[award.pk] = reissue_form
        else:
            messages.error(request, _("Unknown action."))
            return redirect(request.path)
    reissued = {a.replaces_id for a in awards if a.replaces_id}
    pending = objection_pending_solution_ids(solution_ids=[a.solution_id for a in awards], contest=contest)
    for a in awards:
        a.objection_pending = a.solution_id in pending
        if a.revoked_at is None:
            a.revoke_form = revoke_forms.get(a.pk) or AwardRevokeForm(target=a.pk)
        elif a.pk not in reissued:
            a.reissue_form = reissue_forms.get(a.pk) or AwardReissueForm(
                target=a.pk, initial={"level": a.level, "final_rank": a.final_rank, "matched": a.matched}
            )
    last = final_round(contest)
    context = {
        "contest": contest,
        "form": form,
        "final_round": last,
        "final_publication": current_publication(last) if last else None,
        "awards": awards,
        "section": "awards",
    }
    return render(request, "judging/dashboard/awards.html", context)
