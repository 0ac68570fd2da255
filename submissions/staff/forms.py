"""Forms of the submissions app's staff pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from contest.staff.forms import DATETIME_WIDGET, StaffForm, reason_field

from ..enums import EligibilityOutcome


class QualificationForm(StaffForm):
    prefix_name = "qualify"
    outcome = forms.ChoiceField(label=_("Decision"), choices=EligibilityOutcome.choices, widget=forms.RadioSelect)
    reason = reason_field(required=False, help_text=_("Required to disqualify or to request a supplement."))
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
