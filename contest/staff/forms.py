"""Forms of the contest's staff pages, and the base every staff form builds on."""

from django import forms
from django.utils.translation import gettext_lazy as _

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class StaffForm(forms.Form):
    """A form of a staff page. It posts to its action's own URL, which names the object; the
    form's prefix is "<prefix_name>-<target>" so several forms of one kind on a page keep
    distinct field ids (and errors land next to the right field)."""

    prefix_name = ""

    def __init__(self, *args, target=None, **kwargs):
        kwargs.setdefault("prefix", f"{self.prefix_name}-{target}" if target is not None else self.prefix_name)
        super().__init__(*args, **kwargs)
        self.target = target


def reason_field(label=None, required=True, help_text=""):
    return forms.CharField(
        label=label or _("Reason"),
        required=required,
        max_length=2000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def strip_required(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise forms.ValidationError(_("This field is required."))
    return value


class ScenarioRejectForm(StaffForm):
    prefix_name = "reject"
    reason = reason_field(help_text=_("Sent to the publisher with the scenario."))

    def clean_reason(self):
        return strip_required(self.cleaned_data["reason"])
