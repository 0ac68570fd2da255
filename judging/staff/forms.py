"""Forms of the judging app's round pages: opening judging, the judge pool, conflict flags."""

from django import forms
from django.utils.translation import gettext_lazy as _

from contest.models import Round, Track, User
from contest.selectors import contest_tracks
from contest.staff.forms import DATETIME_WIDGET, StaffForm

from ..selectors import active_user_by_account, pool_candidates


class RoundOpenForm(StaffForm):
    prefix_name = "open"
    closes_at = forms.DateTimeField(
        label=_("Judging closes at"),
        required=False,
        widget=DATETIME_WIDGET,
        help_text=_("Leave empty to keep the round's closing time."),
    )


class PoolAddForm(StaffForm):
    prefix_name = "pool_add"
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
        self.fields["judge"].queryset = pool_candidates(round_=round_)
        self.fields["judge"].label_from_instance = lambda u: f"{u} ({u.username})"
        if track_ids is not None:
            # A track host adds judges for its own tracks only.
            self.fields["tracks"].help_text = _("None ticked: every track you host.")
        self.fields["tracks"].queryset = contest_tracks(contest=round_.contest, track_ids=track_ids)

    def clean(self):
        data = super().clean()
        account = (data.get("account") or "").strip()
        if data.get("judge") and account:
            self.add_error("account", _("Choose a judge or name an account, not both."))
        elif not data.get("judge") and not account:
            if "judge" not in self.errors:
                self.add_error("judge", _("Choose a judge or name an account."))
        elif account:
            user = active_user_by_account(account)
            if user is None:
                self.add_error("account", _("No active user has this username or e-mail."))
            else:
                data["judge"] = user
        return data


class ConflictFlagResolveForm(forms.Form):
    """The reason for voiding or keeping a flagged review. The field is the page's plain
    `reason` input; a blank reason is the service's refusal, shown as a message."""

    reason = forms.CharField(required=False, max_length=2000, strip=False)
