"""Forms of the judge pages: the scoring sheet and the conflict declaration."""

from decimal import Decimal

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

ACTION_DRAFT = "draft"
ACTION_SUBMIT = "submit"


def criterion_label(criterion) -> str:
    if (get_language() or "").startswith("en") and criterion.name_en:
        return criterion.name_en
    return criterion.name


def criterion_guidance(criterion) -> str:
    if (get_language() or "").startswith("en") and criterion.guidance_en:
        return criterion.guidance_en
    return criterion.guidance


def score_field_name(criterion) -> str:
    return f"score_{criterion.pk}"


class ScoreSheetForm(forms.Form):
    """One number input per criterion (min 0, max the criterion's maximum, the rubric's step).

    A draft may leave criteria empty; a submission needs every criterion (checked here so the
    error shows next to each empty field, and again by the service).
    """

    team_comment = forms.CharField(
        label=_("Comment for the team"),
        required=False,
        max_length=5000,
        help_text=_("Shown to the team, without your name, once the round's results are published."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    comment = forms.CharField(
        label=_("Confidential comment for the organizers"),
        required=False,
        max_length=5000,
        help_text=_("Never shown to the team."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, criteria, step: Decimal, action: str = ACTION_DRAFT, disabled=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        self.action = action
        fields = {}
        for criterion in self.criteria:
            fields[score_field_name(criterion)] = forms.DecimalField(
                label=criterion_label(criterion),
                required=False,
                min_value=Decimal(0),
                max_value=criterion.max_score,
                step_size=step,
                max_digits=6,
                decimal_places=2,
                help_text=_("0 to %(max)s, in steps of %(step)s; weight %(weight)s")
                % {"max": _num(criterion.max_score), "step": _num(step), "weight": _num(criterion.weight)},
                widget=forms.NumberInput(
                    attrs={
                        "inputmode": "decimal",
                        "data-score": "",
                        "data-weight": str(criterion.weight),
                        "data-max": str(criterion.max_score),
                    }
                ),
                disabled=disabled,
            )
        # Criteria first, the comments last.
        for name in ("team_comment", "comment"):
            fields[name] = self.fields.pop(name)
            fields[name].disabled = disabled
        self.fields = fields

    def clean(self):
        data = super().clean()
        if self.action == ACTION_SUBMIT:
            for criterion in self.criteria:
                name = score_field_name(criterion)
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Score every criterion before submitting."))
        return data

    def score_entries(self) -> list[tuple[int, Decimal]]:
        """(criterion id, value) for the criteria filled in."""
        entries = []
        for criterion in self.criteria:
            value = self.cleaned_data.get(score_field_name(criterion))
            if value is not None:
                entries.append((criterion.pk, value))
        return entries

    def criterion_rows(self):
        """(criterion, bound field, guidance) for the template."""
        return [(c, self[score_field_name(c)], criterion_guidance(c)) for c in self.criteria]


def _num(value: Decimal) -> str:
    text = format(Decimal(value).normalize(), "f")
    return text


class ConflictDeclareForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        help_text=_("Say why you cannot judge this solution impartially (e.g. a colleague is on the team)."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("A reason is required."))
        return reason
