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
    role = forms.ChoiceField(
        choices=[(role, role) for role in roles.ALL_ROLES],
        initial=roles.MEMBER,
        label="Role when signed in",
        help_text="What they may see and do; committee seats are set on the committee's page.",
    )


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
