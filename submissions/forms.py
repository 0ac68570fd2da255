"""Forms of the team pages. Services do the checks that matter; forms give early, per-field errors."""

from django import forms
from django.utils.translation import gettext_lazy as _

from contest.enums import DocumentKind, ScenarioStatus
from contest.models import Organization, Scenario

from .files import UPLOAD_KINDS as FILE_KINDS

# Document kinds a version upload offers, in the order the form shows them.
UPLOAD_KINDS = tuple(DocumentKind(kind) for kind in FILE_KINDS)
# A supplement (补正) may change attachments only: the proposal stays locked.
SUPPLEMENT_KINDS = (DocumentKind.COMMITMENT, DocumentKind.LICENSE, DocumentKind.ATTACHMENT)


def _organizations():
    return Organization.objects.order_by("name")


def _organization_label(organization: Organization) -> str:
    return organization.name


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=100)
    lead_unit = forms.ModelChoiceField(
        label=_("Lead unit (牵头单位)"),
        queryset=Organization.objects.none(),
        help_text=_("The organization that leads the consortium and signs the agreement."),
    )
    co_units = forms.ModelMultipleChoiceField(
        label=_("Co-units (联合单位)"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    organization = forms.ModelChoiceField(
        label=_("Your own organization"), queryset=Organization.objects.none(), required=False
    )

    def __init__(self, *args, max_co_units: int = 4, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("lead_unit", "co_units", "organization"):
            self.fields[name].queryset = _organizations()
            self.fields[name].label_from_instance = _organization_label
        self.fields["co_units"].help_text = _("At most %(n)d; hold Ctrl (or ⌘) to choose several.") % {
            "n": max_co_units
        }
        self.max_co_units = max_co_units

    def clean(self):
        data = super().clean()
        co_units = data.get("co_units") or []
        if len(co_units) > self.max_co_units:
            self.add_error("co_units", _("Choose at most %(n)d co-units.") % {"n": self.max_co_units})
        if data.get("lead_unit") is not None and data.get("lead_unit") in co_units:
            self.add_error("co_units", _("The lead unit cannot also be a co-unit."))
        return data


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail of the person to invite"))


class SolutionStartForm(forms.Form):
    title = forms.CharField(label=_("Solution title"), max_length=200)
    abstract = forms.CharField(
        label=_("Abstract"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("At most 500 characters."),
    )


def _file_field(kind) -> forms.FileField:
    return forms.FileField(label=kind.label, required=False)


class VersionUploadForm(forms.Form):
    """A new version: title, abstract and one file per document kind (kinds left empty carry over)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    abstract = forms.CharField(
        label=_("Abstract"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, kinds=UPLOAD_KINDS, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        for kind in kinds:
            self.fields[kind.value] = _file_field(kind)

    def clean(self):
        data = super().clean()
        if not self.uploads():
            raise forms.ValidationError(_("Choose at least one file to upload."))
        return data

    def uploads(self) -> list[tuple[str, object]]:
        return [(kind.value, self.cleaned_data[kind.value]) for kind in self.kinds if self.cleaned_data.get(kind.value)]


class SupplementForm(VersionUploadForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, kinds=SUPPLEMENT_KINDS, **kwargs)
        del self.fields["title"]
        del self.fields["abstract"]


class SubmitForm(forms.Form):
    version_number = forms.TypedChoiceField(label=_("Version to submit"), coerce=int)

    def __init__(self, *args, versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(v.number, _("Version %(n)d — %(title)s") % {"n": v.number, "title": v.title}) for v in versions]
        self.fields["version_number"].choices = list(reversed(choices))


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    confirm = forms.BooleanField(
        label=_("I understand that retiring after the deadline is final and cannot be undone."), required=False
    )

    def __init__(self, *args, needs_confirmation: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"].required = needs_confirmation
        if not needs_confirmation:
            del self.fields["confirm"]


class TransferForm(forms.Form):
    """Move a solution whose scenario was withdrawn (撤榜) to another scenario of the same track."""

    scenario = forms.ModelChoiceField(label=_("New scenario"), queryset=None)

    def __init__(self, *args, solution, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scenario"].queryset = (
            Scenario.objects.filter(track_id=solution.scenario.track_id, status=ScenarioStatus.PUBLISHED)
            .exclude(pk=solution.scenario_id)
            .order_by("id")
        )
