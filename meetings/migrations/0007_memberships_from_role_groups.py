"""Seats for the users of the old global role groups (Chair, Member, Observer).

Roles became seats on a committee (``core.roles``): the groups grant nothing any more, so
each user in one of them gets that seat on every committee, keeping what they could read
and do. A user with no person on the register gets one (named as the user is). The PMO
group stays: it is the programme administrators.
"""

from django.db import migrations

GROUP_SEATS = (("Chair", "chair"), ("Member", "member"), ("Observer", "observer"))


def _person_for(user, Person):
    person = Person.objects.filter(user=user).first()
    if person is not None:
        return person
    name = (f"{user.first_name} {user.last_name}".strip() or user.username)[:200]
    if Person.objects.filter(name=name, organisation__isnull=True).exists():
        name = f"{name} ({user.username})"[:200]
    return Person.objects.create(name=name, email=user.email or "", user=user)


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Committee = apps.get_model("meetings", "Committee")
    Membership = apps.get_model("meetings", "Membership")
    Person = apps.get_model("meetings", "Person")
    committees = list(Committee.objects.all())
    for group_name, role in GROUP_SEATS:
        group = Group.objects.filter(name=group_name).first()
        if group is None:
            continue
        for user in group.user_set.all():
            person = _person_for(user, Person)
            for committee in committees:
                Membership.objects.get_or_create(committee=committee, person=person, role=role)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("meetings", "0006_meeting_participants_deputy_chair"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
