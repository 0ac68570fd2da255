"""Forms of the results pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from judging.results.enums import ObjectorKind


class CertificateVerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=32,
        help_text=_("The code printed on the certificate."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_code(self):
        return self.cleaned_data["code"].strip()


class ObjectionForm(forms.Form):
    """A real-name objection (异议) against one entry of a published result."""

    solution = forms.TypedChoiceField(label=_("Entry objected to"), coerce=int)
    objector_kind = forms.ChoiceField(label=_("I object as"), choices=ObjectorKind.choices, widget=forms.RadioSelect)
    real_name = forms.CharField(label=_("Real name"), max_length=100)
    organization_name = forms.CharField(label=_("Organization"), max_length=200)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False, help_text=_("Required for individuals."))
    reason = forms.CharField(label=_("Reason and facts"), widget=forms.Textarea(attrs={"rows": 6}), max_length=4000)
    sealed_letter = forms.FileField(
        label=_("Letter with the organization's seal"),
        required=False,
        help_text=_("Required when objecting as an organization (PDF or image)."),
    )
    evidence = forms.FileField(label=_("Evidence (optional)"), required=False)

    def __init__(self, *args, rows=(), user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["solution"].choices = [
            (row["solution_id"], f"{row['rank']}. {row['team']} · {row['scenario']}") for row in rows
        ]
        if user is not None and not self.is_bound:
            self.initial.setdefault("real_name", getattr(user, "full_name", ""))
            self.initial.setdefault("phone", getattr(user, "phone", ""))
            organization = getattr(user, "organization", None)
            if organization is not None:
                self.initial.setdefault("organization_name", organization.name)

    def clean(self):
        data = super().clean()
        kind = data.get("objector_kind")
        if kind == ObjectorKind.INDIVIDUAL and not data.get("phone"):
            self.add_error("phone", _("An individual objector must give a phone number."))
        if kind == ObjectorKind.ORGANIZATION and not data.get("sealed_letter"):
            self.add_error("sealed_letter", _("An organization must attach its sealed letter."))
        return data
