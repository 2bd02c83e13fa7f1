"""Browser URLs of the people directory, organisations and committees (PMO)."""

from django.urls import path

from . import committee_views, people_views

urlpatterns: list = [
    path("people/", people_views.PersonListView.as_view(), name="person-list"),
    path("people/new/", people_views.PersonCreateView.as_view(), name="person-create"),
    path(
        "people/autocomplete/",
        people_views.OwnerSuggestView.as_view(),
        name="people-autocomplete",
    ),
    path("people/<int:pk>/", people_views.PersonUpdateView.as_view(), name="person-edit"),
    path("people/<int:pk>/active/", people_views.PersonActiveView.as_view(), name="person-active"),
    path("people/<int:pk>/invite/", people_views.PersonInviteView.as_view(), name="person-invite"),
    path("people/<int:pk>/merge/", people_views.PersonMergeView.as_view(), name="person-merge"),
    path(
        "organisations/",
        committee_views.OrganisationListView.as_view(),
        name="organisation-list",
    ),
    path(
        "organisations/new/",
        committee_views.OrganisationFormView.as_view(),
        name="organisation-create",
    ),
    path(
        "organisations/<int:pk>/",
        committee_views.OrganisationFormView.as_view(),
        name="organisation-edit",
    ),
    path(
        "organisations/<int:pk>/merge/",
        committee_views.OrganisationMergeView.as_view(),
        name="organisation-merge",
    ),
    path("committees/", committee_views.CommitteeListView.as_view(), name="committee-list"),
    path("committees/new/", committee_views.CommitteeFormView.as_view(), name="committee-create"),
    path(
        "committees/<str:code>/",
        committee_views.CommitteeFormView.as_view(),
        name="committee-edit",
    ),
    path(
        "committees/<str:code>/members/new/",
        committee_views.MembershipFormView.as_view(),
        name="membership-create",
    ),
    path(
        "committees/<str:code>/members/<int:pk>/",
        committee_views.MembershipFormView.as_view(),
        name="membership-edit",
    ),
    path(
        "committees/<str:code>/members/<int:pk>/end/",
        committee_views.MembershipEndView.as_view(),
        name="membership-end",
    ),
]
