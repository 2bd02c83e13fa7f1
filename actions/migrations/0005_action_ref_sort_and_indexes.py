"""Ref order as one indexed column, and indexes for the register's open-by-due-date reads.

``Action.ref_sort`` (``DAG-0028.00-0001``) sorts in ref order (committee code, meeting number,
sub-number, seq): ordering through the meeting and committee joins made PostgreSQL sort a
committee's whole history for one register page. Existing actions get their key here, one
UPDATE per meeting; new ones get it where the ref is assigned (``actions.services``).
``action_open_due_ref`` serves "not closed, by due date" (the register's filter and My
actions); ``action_owner_role`` the register's role choices.
"""

from django.db import migrations, models
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat, LPad


def fill_ref_sort(apps, schema_editor):
    action_model = apps.get_model("actions", "Action")
    meeting_model = apps.get_model("meetings", "Meeting")
    # The format of actions.models.action_ref_sort_key, written out: a migration keeps the
    # format it was written with.
    for meeting in meeting_model.objects.select_related("committee").iterator():
        prefix = f"{meeting.committee.code}-{meeting.number:04d}.{meeting.sub_number:02d}-"
        action_model.objects.filter(meeting_id=meeting.pk).update(
            ref_sort=Concat(
                Value(prefix),
                LPad(Cast("seq", CharField()), 4, Value("0")),
                output_field=CharField(),
            )
        )


def analyze(apps, schema_editor):
    # SQLite plans with the statistics of its last ANALYZE (Django never runs one): holding
    # statistics for the other indexes but none for the new one, it scanned every meeting
    # and sorted every action for one register page instead of reading 50 rows of
    # action_ref_sort. An empty table gets no statistics, so a new database stays as it was.
    # PostgreSQL keeps its own statistics (autovacuum); an ANALYZE of empty tables here
    # would only tell its planner they stay empty.
    if schema_editor.connection.vendor != "sqlite":
        return
    for table in ("actions_action", "actions_actionowner"):
        schema_editor.execute(f"ANALYZE {schema_editor.quote_name(table)}")


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0004_reminder_beat_schedule"),
        ("meetings", "0002_headline_report_fingerprint"),
    ]

    operations = [
        migrations.AddField(
            model_name="action",
            name="ref_sort",
            field=models.CharField(
                default="",
                editable=False,
                help_text="Ref order as text (action_ref_sort_key); set with the ref.",
                max_length=32,
            ),
        ),
        migrations.RunPython(fill_ref_sort, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="action",
            index=models.Index(fields=["ref_sort"], name="action_ref_sort"),
        ),
        migrations.AddIndex(
            model_name="action",
            index=models.Index(
                condition=models.Q(("status", "closed"), _negated=True),
                fields=["due_date", "ref_sort"],
                name="action_open_due_ref",
            ),
        ),
        migrations.AddIndex(
            model_name="actionowner",
            index=models.Index(
                condition=models.Q(("role", ""), _negated=True),
                fields=["role"],
                name="action_owner_role",
            ),
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop, elidable=True),
    ]
