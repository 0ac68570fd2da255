"""Forms of the organizer dashboard. Each carries a hidden `op` naming the action it posts."""

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from contest.enums import Role
from contest.models import Round, Track, User
from judging.results.enums import AwardLevel
from submissions.enums import EligibilityOutcome

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class OpForm(forms.Form):
    """A dashboard form. The page posts `op` (which action) and `target` (which object) as plain
    hidden inputs; the form's prefix is "<op>-<target>" so several forms of one kind on a page
    keep distinct field ids (and errors land next to the right field)."""

    op_name = ""

    def __init__(self, *args, target=None, **kwargs):
        kwargs.setdefault("prefix", f"{self.op_name}-{target}" if target is not None else self.op_name)
        super().__init__(*args, **kwargs)
        self.target = target


def _reason_field(label=None, required=True, help_text=""):
    return forms.CharField(
        label=label or _("Reason"),
        required=required,
        max_length=2000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _strip_required(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise forms.ValidationError(_("This field is required."))
    return value


class ScenarioRejectForm(OpForm):
    op_name = "reject"
    reason = _reason_field(help_text=_("Sent to the publisher with the scenario."))

    def clean_reason(self):
        return _strip_required(self.cleaned_data["reason"])


class RoundOpenForm(OpForm):
    op_name = "open"
    closes_at = forms.DateTimeField(
        label=_("Judging closes at"),
        required=False,
        widget=DATETIME_WIDGET,
        help_text=_("Leave empty to keep the round's closing time."),
    )


class PoolAddForm(OpForm):
    op_name = "pool_add"
    judge = forms.ModelChoiceField(
        label=_("Judge"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("A judge of this contest who is not in the pool yet."),
    )
    account = forms.CharField(
        label=_("Or another user's username or confirmed e-mail"),
        max_length=254,
        required=False,
        help_text=_("The user becomes a judge of this contest."),
    )
    tracks = forms.ModelMultipleChoiceField(
        label=_("Tracks"),
        queryset=Track.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every track."),
    )
    group = forms.CharField(label=_("Judge group"), max_length=50, required=False)
    load_cap = forms.IntegerField(label=_("Load cap"), min_value=1, required=False)

    def __init__(self, *args, round_: Round, track_ids: set[int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        in_pool = round_.judge_pool.values_list("judge_id", flat=True)
        self.fields["judge"].queryset = (
            User.objects.filter(contest_roles__contest=round_.contest, contest_roles__role=Role.JUDGE)
            .exclude(pk__in=in_pool)
            .distinct()
            .order_by("username")
        )
        self.fields["judge"].label_from_instance = lambda u: f"{u} ({u.username})"
        tracks = Track.objects.filter(contest=round_.contest).order_by("order", "id")
        if track_ids is not None:
            # A track host adds judges for its own tracks only.
            tracks = tracks.filter(pk__in=track_ids)
            self.fields["tracks"].help_text = _("None ticked: every track you host.")
        self.fields["tracks"].queryset = tracks

    def clean(self):
        data = super().clean()
        account = (data.get("account") or "").strip()
        if data.get("judge") and account:
            self.add_error("account", _("Choose a judge or name an account, not both."))
        elif not data.get("judge") and not account:
            if "judge" not in self.errors:
                self.add_error("judge", _("Choose a judge or name an account."))
        elif account:
            user = (
                User.objects.filter(is_active=True)
                # An address names a person only once its owner proved it.
                .filter(
                    models.Q(username__iexact=account)
                    | models.Q(pk__in=User.objects.with_verified_email(account).values("pk"))
                )
                .order_by("id")
                .first()
            )
            if user is None:
                self.add_error("account", _("No active user has this username or e-mail."))
            else:
                data["judge"] = user
        return data


class AutoAssignForm(OpForm):
    op_name = "auto_assign"


class QualificationForm(OpForm):
    op_name = "qualify"
    outcome = forms.ChoiceField(label=_("Decision"), choices=EligibilityOutcome.choices, widget=forms.RadioSelect)
    reason = _reason_field(required=False, help_text=_("Required to disqualify or to request a supplement."))
    supplement_deadline = forms.DateTimeField(
        label=_("Supplement deadline"),
        required=False,
        widget=DATETIME_WIDGET,
        help_text=_("Default: 48 hours from now."),
    )

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        reason = (data.get("reason") or "").strip()
        data["reason"] = reason
        if outcome and outcome != EligibilityOutcome.QUALIFIED and not reason:
            self.add_error("reason", _("A reason is required for this decision."))
        return data


class AdvancementOverrideForm(OpForm):
    op_name = "override"
    advanced = forms.TypedChoiceField(
        label=_("Advances"),
        choices=[("1", _("Advances")), ("0", _("Does not advance"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = _reason_field()

    def clean_reason(self):
        return _strip_required(self.cleaned_data["reason"])


class PublishForm(OpForm):
    op_name = "publish"
    publicity_starts_at = forms.DateTimeField(
        label=_("Publicity period starts"), required=False, widget=DATETIME_WIDGET, help_text=_("Default: now.")
    )
    publicity_ends_at = forms.DateTimeField(
        label=_("Publicity period ends"),
        required=False,
        widget=DATETIME_WIDGET,
        help_text=_("Default: the round's publicity days after the start."),
    )

    def clean(self):
        data = super().clean()
        starts, ends = data.get("publicity_starts_at"), data.get("publicity_ends_at")
        if starts and ends and ends <= starts:
            self.add_error("publicity_ends_at", _("The publicity period must end after it starts."))
        return data


class TieDecisionForm(OpForm):
    """The committee's order of one group of solutions that share a rank: a place for each
    (1 = first among them, every place once) and the reason. `cleaned_data["solution_ids"]`
    holds the ids in the decided order. The target is the group's first solution id."""

    op_name = "tie_decide"
    reason = _reason_field(help_text=_("The committee's reasons; kept with the decision and in the audit log."))

    def __init__(self, *args, results, **kwargs):
        super().__init__(*args, **kwargs)
        self.solution_ids = [r.solution_id for r in results]
        places = [("", "—")] + [(str(n), str(n)) for n in range(1, len(results) + 1)]
        place_fields = {
            f"place_{r.solution_id}": forms.TypedChoiceField(
                label=_("Place of “%(title)s”") % {"title": r.solution.title}, choices=places, coerce=int
            )
            for r in results
        }
        # The places come first, then the reason.
        self.fields = {**place_fields, "reason": self.fields["reason"]}

    def clean_reason(self):
        return _strip_required(self.cleaned_data["reason"])

    def clean(self):
        data = super().clean()
        places = {sid: data.get(f"place_{sid}") for sid in self.solution_ids}
        if None not in places.values():
            if sorted(places.values()) != list(range(1, len(places) + 1)):
                raise forms.ValidationError(_("Give each solution a different place."))
            data["solution_ids"] = sorted(places, key=places.__getitem__)
        return data


class AggregateForm(OpForm):
    op_name = "aggregate"


class ObjectionDecideForm(OpForm):
    op_name = "decide"
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("dismiss", _("Dismiss")), ("uphold", _("Uphold (disqualifies the entry)"))],
        widget=forms.RadioSelect,
    )
    response = _reason_field(label=_("Response to the objector"))

    def clean_response(self):
        return _strip_required(self.cleaned_data["response"])


AWARD_LEVELS = [AwardLevel.GRAND, AwardLevel.FIRST, AwardLevel.SECOND, AwardLevel.THIRD]


class AwardsForm(OpForm):
    """Rank ranges per award level (e.g. first prize: ranks 1–3), and the round whose
    eliminated entries receive the merit award."""

    op_name = "awards"

    def __init__(self, *args, contest, **kwargs):
        super().__init__(*args, **kwargs)
        defaults = {AwardLevel.FIRST: (1, 3), AwardLevel.SECOND: (4, 8), AwardLevel.THIRD: (9, 15)}
        for level in AWARD_LEVELS:
            low, high = defaults.get(level, (None, None))
            label = AwardLevel(level).label
            self.fields[f"{level}_from"] = forms.IntegerField(
                label=_("%(level)s: from rank") % {"level": label}, min_value=1, required=False, initial=low
            )
            self.fields[f"{level}_to"] = forms.IntegerField(
                label=_("%(level)s: to rank") % {"level": label}, min_value=1, required=False, initial=high
            )
        self.fields["merit_round"] = forms.ModelChoiceField(
            label=_("Merit award for entries eliminated in"),
            queryset=Round.objects.filter(contest=contest).order_by("sequence"),
            required=False,
        )

    def level_rows(self):
        return [(AwardLevel(level).label, self[f"{level}_from"], self[f"{level}_to"]) for level in AWARD_LEVELS]

    def clean(self):
        data = super().clean()
        ranges = []
        for level in AWARD_LEVELS:
            low, high = data.get(f"{level}_from"), data.get(f"{level}_to")
            if low is None and high is None:
                continue
            if low is None or high is None:
                self.add_error(f"{level}_to" if high is None else f"{level}_from", _("Give both ends of the range."))
                continue
            if high < low:
                self.add_error(f"{level}_to", _("The range must not end before it starts."))
                continue
            ranges.append({"level": str(level), "from": low, "to": high})
        if not ranges and not self.errors:
            raise forms.ValidationError(_("Give at least one rank range."))
        data["ranges"] = ranges
        return data


class AwardRevokeForm(OpForm):
    op_name = "revoke"
    reason = _reason_field(help_text=_("Recorded in the audit trail. The certificate's code then verifies as revoked."))

    def clean_reason(self):
        return _strip_required(self.cleaned_data["reason"])


class AwardReissueForm(OpForm):
    """A corrected award for the entry of a revoked one (a new certificate code)."""

    op_name = "reissue"
    level = forms.ChoiceField(label=_("Award"), choices=AwardLevel.choices)
    final_rank = forms.IntegerField(label=_("Final rank"), min_value=1, max_value=100000, required=False)
    matched = forms.BooleanField(label=_("Matched (揭榜成功)"), required=False)
    reason = _reason_field(help_text=_("Why the award is issued again; recorded with the new award."))

    def clean_reason(self):
        return _strip_required(self.cleaned_data["reason"])
