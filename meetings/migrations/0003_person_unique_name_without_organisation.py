"""One person (or team) per name among those without an organisation.

``person_unique_name_in_organisation`` does not cover people without an organisation (NULLs
differ), so two requests at once could each add "Jane Doe". Any such duplicates are merged
into the oldest first: rows pointing at a duplicate are moved to it, or dropped where the
oldest already has the same row (a second owner of the same action, say).
"""

from django.db import IntegrityError, migrations, models, transaction


def merge_duplicates(apps, schema_editor):
    Person = apps.get_model("meetings", "Person")
    names = (
        Person.objects.filter(organisation__isnull=True)
        .values("name")
        .annotate(n=models.Count("id"))
        .filter(n__gt=1)
        .values_list("name", flat=True)
    )
    relations = [
        rel for rel in Person._meta.related_objects if rel.field.many_to_one or rel.field.one_to_one
    ]
    for name in list(names):
        keep, *duplicates = Person.objects.filter(name=name, organisation__isnull=True).order_by(
            "pk"
        )
        for duplicate in duplicates:
            for rel in relations:
                model, column = rel.related_model, rel.field.name
                for row in model._base_manager.filter(**{column: duplicate}):
                    try:
                        with transaction.atomic():
                            model._base_manager.filter(pk=row.pk).update(**{column: keep})
                    except IntegrityError:
                        row.delete()
            duplicate.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0002_headline_report_fingerprint"),
        # Every model pointing at Person exists by then, so the merge moves their rows.
        ("actions", "0003_reminderlog"),
        ("decisions", "0002_initial"),
        ("changerequests", "0002_initial"),
    ]

    operations = [
        migrations.RunPython(merge_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="person",
            constraint=models.UniqueConstraint(
                condition=models.Q(organisation__isnull=True),
                fields=("name",),
                name="person_unique_name_without_organisation",
            ),
        ),
    ]
