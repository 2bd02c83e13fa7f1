"""``/search/``: the header's search box answered, with filters by kind, committee and date.

Rate limited per user (``core.ratelimit``'s ``search`` scope), as ``/api/v1/search/``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core import ratelimit
from core.views import LoginRequired
from meetings.selectors import committee_codes

from .registry import KINDS
from .selectors import PAGE_SIZE, search_records

MAX_PAGE = 50


class SearchForm(forms.Form):
    """What to search for, and the filters."""

    q = forms.CharField(required=False, max_length=200, label="Search for")
    kind = forms.ChoiceField(required=False, label="Kind")
    committee = forms.ChoiceField(required=False, label="Committee")
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    page = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Any kind")] + [
            (k.name, k.plural) for k in KINDS.values()
        ]
        self.fields["committee"].choices = [("", "All committees")] + [
            (code, code) for code in sorted(committee_codes())
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data


class SearchView(ratelimit.RateLimitMixin, LoginRequired):
    """``/search/?q=…``: the records the user may see that the words or ref find."""

    rate_limit_scope = ratelimit.SEARCH
    rate_limit_methods = ("GET",)

    def get(self, request: HttpRequest) -> HttpResponse:
        form = SearchForm(request.GET or None)
        results = None
        page = 1
        if form.is_bound and form.is_valid() and form.cleaned_data["q"].strip():
            data = form.cleaned_data
            page = data["page"] or 1
            results = search_records(
                user=request.user,
                text=data["q"],
                kind=data["kind"],
                committee=data["committee"],
                date_from=data["date_from"],
                date_to=data["date_to"],
                limit=PAGE_SIZE,
                offset=(page - 1) * PAGE_SIZE,
            )
        context = {
            "form": form,
            "results": results,
            "page": page,
            "next_page": page + 1 if results and results.has_more and page < MAX_PAGE else None,
            "previous_page": page - 1 if page > 1 else None,
        }
        return render(request, "search/search.html", context)
