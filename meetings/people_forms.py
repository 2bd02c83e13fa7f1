"""Browser forms of the people directory, organisations, committees and memberships (PMO)."""

from __future__ import annotations

from typing import Any

from django import forms

from core import roles
from core.forms import DateInput

from .models import Committee, Membership, Organisation, Person


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search", help_text="Name, email or organisation.")
    flag = forms.ChoiceField(
        required=False,
        label="Show",
        choices=[
            ("", "Everyone"),
            ("no-email", "Without an email"),
            ("no-login", "Without a login"),
        ],
    )
    inactive = forms.BooleanField(required=False, label="Include inactive people")


class PersonForm(forms.ModelForm):
    """A person's directory entry; their organisation chosen from the organisations."""

    class Meta:
        model = Person
        fields = ["name", "email", "organisation", "is_team", "reminders_opt_out"]
        help_texts = {"email": "Reminders and the invitation to sign in go here."}
        labels = {"is_team": "A team", "reminders_opt_out": "No reminder emails"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")

    def validate_unique(self) -> None:
        """The service checks uniqueness (with the actor's history), not the form."""

    def service_kwargs(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class InviteForm(forms.Form):
    """What a login is given besides its committee seats, which decide what they may see and
    do (set on each committee's page). Only one choice grants anything, the programme
    administrator's (PMO), and only a superuser makes administrators; for anyone else the
    form asks nothing."""

    def __init__(self, *args: Any, acting_user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if getattr(acting_user, "is_superuser", False):
            self.fields["administrator"] = forms.BooleanField(
                required=False,
                label="Programme administrator (PMO)",
                help_text="Records, edits and issues for every committee and manages people.",
            )

    @property
    def role(self) -> str:
        """The group the login joins: ``PMO``, or none (``""``: their seats only)."""
        return roles.PMO if self.cleaned_data.get("administrator") else ""


class MergeForm(forms.Form):
    """Choose the record that stays; the one merged is deleted once everything has moved."""

    target = forms.ModelChoiceField(queryset=Person.objects.none(), label="Merge into")

    def __init__(self, *args: Any, queryset: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = queryset


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "short_name"]

    def validate_unique(self) -> None:
        """The service checks uniqueness, not the form."""

    def service_kwargs(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class CommitteeForm(forms.ModelForm):
    """A committee; its code is given once, at creation (it is in every ref)."""

    class Meta:
        model = Committee
        fields = [
            "code",
            "name",
            "programme_name",
            "due_soon_days",
            "quorum_count",
            "quorum_fraction",
        ]
        labels = {
            "due_soon_days": "Reminder lead time (days)",
            "quorum_count": "Quorum (number of voting members)",
            "quorum_fraction": "Quorum (fraction of the voting members)",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["code"]

    def validate_unique(self) -> None:
        """The service checks uniqueness, not the form."""

    def service_kwargs(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}


class MembershipForm(forms.ModelForm):
    """A seat on a committee: who, in what role, for which constituency, from when to when."""

    class Meta:
        model = Membership
        fields = ["person", "role", "constituency", "start_date", "end_date"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.active().order_by("name")
        if self.instance.pk:
            del self.fields["person"]

    def validate_unique(self) -> None:
        """The service checks uniqueness, not the form."""

    def _post_clean(self) -> None:
        """Constraints are checked by the service (with a clear error), not twice here."""

    def service_kwargs(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}
