"""Forms of the contest pages: accounts, scenario catalogue filters, publishers' scenario drafts."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .enums import ScenarioStatus
from .models import Organization, Scenario, Track, User
from .security_events import record_form_refusal


def organization_label(organization: Organization) -> str:
    """Full legal names in choice lists: short names are ambiguous across groups."""
    return organization.name


class SignUpForm(UserCreationForm):
    email = forms.EmailField(
        label=_("E-mail"),
        help_text=_("We send a link to confirm it. Invitations, receipts and password reset use it once confirmed."),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=Organization.objects.order_by("name"),
        required=False,
        empty_label=_("(none)"),
    )
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email", "full_name", "phone", "organization", "preferred_language")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].label_from_instance = organization_label

    def clean_email(self):
        # No "already registered" error: the page must not tell who has an account
        # (contest.views.signup mails the owner instead).
        return self.cleaned_data["email"].strip()


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("full_name", "email", "phone", "organization", "preferred_language")
        labels = {"email": _("E-mail")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.order_by("name")
        self.fields["organization"].empty_label = _("(none)")
        self.fields["organization"].label_from_instance = organization_label
        self.fields["email"].required = True

    def clean_email(self):
        # A new address takes effect only through its confirmation link (contest.views.profile).
        return self.cleaned_data["email"].strip()


class VerifiedPasswordResetForm(PasswordResetForm):
    """Reset links go only to proven addresses: an address someone merely typed in at sign-up
    is not a way into that account."""

    def get_users(self, email):
        users = User.objects.with_verified_email(email).filter(is_active=True)
        return (u for u in users if u.has_usable_password())


class ScenarioFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    track = forms.ModelChoiceField(label=_("Track"), queryset=Track.objects.none(), required=False)
    publisher = forms.ModelChoiceField(label=_("Publisher"), queryset=Organization.objects.none(), required=False)
    reward_min = forms.DecimalField(
        label=_("Reward from (10,000 CNY)"), required=False, min_value=0, max_digits=10, decimal_places=2
    )
    reward_max = forms.DecimalField(
        label=_("Reward up to (10,000 CNY)"), required=False, min_value=0, max_digits=10, decimal_places=2
    )

    def __init__(self, *args, contest, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["track"].queryset = Track.objects.filter(contest=contest).order_by("order", "id")
        self.fields["track"].empty_label = _("All tracks")
        self.fields["publisher"].queryset = (
            Organization.objects.filter(scenarios__contest=contest, scenarios__status__in=_public_statuses())
            .distinct()
            .order_by("name")
        )
        self.fields["publisher"].empty_label = _("All publishers")
        self.fields["publisher"].label_from_instance = organization_label

    def clean(self):
        data = super().clean()
        low, high = data.get("reward_min"), data.get("reward_max")
        if low is not None and high is not None and low > high:
            self.add_error("reward_max", _("The upper bound must not be below the lower bound."))
        return data


def _public_statuses():

    return (ScenarioStatus.PUBLISHED, ScenarioStatus.CLOSED, ScenarioStatus.WITHDRAWN)


class ScenarioForm(forms.ModelForm):
    """A publisher's draft. The organization and contest come from the publisher's role, not the form."""

    class Meta:
        model = Scenario
        fields = (
            "track",
            "title",
            "summary",
            "problem",
            "expected_outcome",
            "conditions",
            "resources",
            "reward",
            "duration_months",
            "max_teams",
            "contact_name",
            "contact_phone",
            "contact_email",
        )
        widgets = {f: forms.Textarea(attrs={"rows": 4}) for f in ("summary", "problem", "expected_outcome")}

    def __init__(self, *args, contest, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["track"].queryset = Track.objects.filter(contest=contest).order_by("order", "id")
        self.fields["summary"].required = True


class ScenarioWithdrawalForm(forms.Form):
    reason = forms.CharField(label=_("Reason for withdrawal"), widget=forms.Textarea(attrs={"rows": 3}))


def add_service_error(form, exc) -> None:
    """Show an error a service raised next to the fields it names, or above the form.

    Handles Django's ValidationError (model validation in services) and ApplicationError
    (domain rules, with a translated `detail`).
    """

    record_form_refusal(exc)  # a refused state change is recorded, as in the API
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return
    if isinstance(exc, ValidationError):
        form.add_error(None, exc.messages)
        return
    form.add_error(None, str(getattr(exc, "detail", exc)))
