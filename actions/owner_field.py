"""The owners field of the action forms: owners from the people directory.

The field is a textarea of owner lines (``Programme (Rob Short)``, ``Chair``), so it works
without script; ``static/js/owner-suggest.js`` offers the committee's members, seats and the
directory's people as the PMO types (``/people/autocomplete/``). A person's name that is not
in the directory is an error offering an explicit step: tick "add as a new person" and give
their email, so nobody is added by a typo and nobody new is left without an address.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy

from core.services import name_length_check
from meetings.models import Organisation, Person
from meetings.people_selectors import organisation_find, person_find

from .services import OwnerSpec

NEW_PERSON_FIELDS = ("owner_new_person", "owner_new_email")


def owners_from_text(text: str) -> list[OwnerSpec]:
    """Owners written one a line, lead first (``Programme (Rob Short)``, ``Chair``).

    Raises ValidationError naming the first line that is not an owner.
    """
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not lines:
        raise ValidationError("Name at least one owner, such as “Programme (Rob Short)”.")
    return [OwnerSpec.from_text(line) for line in lines]


def owner_person_known(spec: OwnerSpec) -> bool:
    """Whether the person an owner names is in the directory (as the service would find them:
    ``person_find``); an owner naming no person is a seat or an organisation and is known."""
    if not spec.person:
        return True
    organisation = None if spec.role_like else organisation_find(name=spec.party)
    return person_find(name=spec.person, organisation=organisation) is not None


class OwnersField(forms.CharField):
    """Owners one a line, with the suggestions' hooks on the textarea."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            forms.Textarea(
                attrs={
                    "rows": 2,
                    "data-owner-suggest": reverse_lazy("people-autocomplete"),
                    "autocomplete": "off",
                }
            ),
        )
        super().__init__(**kwargs)


class OwnersFormMixin:
    """For a form with an ``owners`` :class:`OwnersField`: suggestions for the committee,
    and the "add as a new person" step when a name is not in the directory."""

    def owners_setup(self, committee_id: int) -> None:
        self.fields["owners"].widget.attrs["data-committee"] = str(committee_id)
        self.new_person_name = ""
        if self.is_bound:  # the step is shown only once a name is found missing
            self.fields["owner_new_person"] = forms.BooleanField(
                required=False, label="Add them to the people directory as a new person"
            )
            self.fields["owner_new_email"] = forms.EmailField(
                required=False,
                label="The new person's email",
                help_text="So that reminders reach them.",
                widget=forms.EmailInput(attrs={"autocomplete": "off"}),
            )
            names = list(self.fields)
            names.remove("owner_new_person")
            names.remove("owner_new_email")
            at = names.index("owners") + 1
            self.order_fields([*names[:at], *NEW_PERSON_FIELDS, *names[at:]])

    def clean_owners(self) -> list[OwnerSpec]:
        specs = owners_from_text(self.cleaned_data["owners"])
        try:  # before any look-up: PostgreSQL refuses an overlong name
            for spec in specs:
                name_length_check(Organisation, spec.party)
                if spec.person:
                    name_length_check(Person, spec.person)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
        return specs

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        specs = data.get("owners")
        unknown = [i for i, spec in enumerate(specs or []) if not owner_person_known(spec)]
        if not unknown:
            for name in NEW_PERSON_FIELDS:
                self.fields.pop(name, None)
            return data
        names = [specs[i].person for i in unknown]
        self.new_person_name = names[0]
        label = f"Add “{names[0]}” to the people directory as a new person"
        # The bound field (made while the fields were cleaned) keeps its own copy of the label.
        self.fields["owner_new_person"].label = self["owner_new_person"].label = label
        if len(names) > 1:
            listed = ", ".join(f"“{name}”" for name in names)
            self.add_error(
                "owners",
                f"{listed} are not in the people directory: check the spelling, choose from "
                "the suggestions, or add them under People first.",
            )
        elif not data.get("owner_new_person"):
            self.add_error(
                "owners",
                f"“{names[0]}” is not in the people directory. Check the spelling or choose "
                "from the suggestions; if they are new, tick “Add them” below and give their "
                "email.",
            )
        elif not data.get("owner_new_email") and not specs[unknown[0]].person_is_team:
            self.add_error("owner_new_email", "Give the new person's email.")
        else:
            specs[unknown[0]] = dataclasses.replace(
                specs[unknown[0]], email=data.get("owner_new_email") or ""
            )
        return data
