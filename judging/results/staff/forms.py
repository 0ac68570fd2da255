"""Forms of the results pages: advancement overrides, publication, the committee's tie
decisions, objection decisions and awards."""

from django import forms
from django.utils.translation import gettext_lazy as _

from contest.selectors import contest_rounds
from contest.staff.forms import DATETIME_WIDGET, StaffForm, reason_field, strip_required

from ..enums import AwardLevel


class AdvancementOverrideForm(StaffForm):
    prefix_name = "override"
    advanced = forms.TypedChoiceField(
        label=_("Advances"),
        choices=[("1", _("Advances")), ("0", _("Does not advance"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = reason_field()

    def clean_reason(self):
        return strip_required(self.cleaned_data["reason"])


class PublishForm(StaffForm):
    prefix_name = "publish"
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


class TieDecisionForm(StaffForm):
    """The committee's order of one group of solutions that share a rank: a place for each
    (1 = first among them, every place once) and the reason. `cleaned_data["solution_ids"]`
    holds the ids in the decided order. The target is the group's first solution id."""

    prefix_name = "tie_decide"
    reason = reason_field(help_text=_("The committee's reasons; kept with the decision and in the audit log."))

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
        return strip_required(self.cleaned_data["reason"])

    def clean(self):
        data = super().clean()
        places = {sid: data.get(f"place_{sid}") for sid in self.solution_ids}
        if None not in places.values():
            if sorted(places.values()) != list(range(1, len(places) + 1)):
                raise forms.ValidationError(_("Give each solution a different place."))
            data["solution_ids"] = sorted(places, key=places.__getitem__)
        return data


class ObjectionDecideForm(StaffForm):
    prefix_name = "decide"
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("dismiss", _("Dismiss")), ("uphold", _("Uphold (disqualifies the entry)"))],
        widget=forms.RadioSelect,
    )
    response = reason_field(label=_("Response to the objector"))

    def clean_response(self):
        return strip_required(self.cleaned_data["response"])


AWARD_LEVELS = [AwardLevel.GRAND, AwardLevel.FIRST, AwardLevel.SECOND, AwardLevel.THIRD]


class AwardsForm(StaffForm):
    """Rank ranges per award level (e.g. first prize: ranks 1–3), and the round whose
    eliminated entries receive the merit award."""

    prefix_name = "awards"

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
            queryset=contest_rounds(contest=contest),
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


class AwardRevokeForm(StaffForm):
    prefix_name = "revoke"
    reason = reason_field(help_text=_("Recorded in the audit trail. The certificate's code then verifies as revoked."))

    def clean_reason(self):
        return strip_required(self.cleaned_data["reason"])


class AwardReissueForm(StaffForm):
    """A corrected award for the entry of a revoked one (a new certificate code)."""

    prefix_name = "reissue"
    level = forms.ChoiceField(label=_("Award"), choices=AwardLevel.choices)
    final_rank = forms.IntegerField(label=_("Final rank"), min_value=1, max_value=100000, required=False)
    matched = forms.BooleanField(label=_("Matched (揭榜成功)"), required=False)
    reason = reason_field(help_text=_("Why the award is issued again; recorded with the new award."))

    def clean_reason(self):
        return strip_required(self.cleaned_data["reason"])
