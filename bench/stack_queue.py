"""Ask the running stack for PDFs, as its web requests would: ``python -m bench.stack_queue``.

Run in the stack's environment (``dag.settings.production``, Redis as the broker), so each
request is stored and queued to the real Celery worker exactly as the "Download PDF" and
report buttons do. Prints the stored rows' ids as one JSON line.

    python -m bench.stack_queue USERNAME MEETING_REF REGISTERS
"""

from __future__ import annotations

import json
import os
import sys


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dag.settings.production")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from actions.register import ActionRegisterFilters
    from actions.register_pdf import register_pdf_request
    from composer.report_drafts import headline_report_live_pdf
    from meetings.models import Meeting

    username, meeting_ref, registers = argv[0], argv[1], int(argv[2])
    user = get_user_model().objects.get(username=username)
    # Different orders, so the three are three renders (the same filters asked twice by one
    # person while the first waits give that first one back).
    sorts = ["ref", "-ref", "due_date", "-due_date", "status"]
    asked = [
        register_pdf_request(
            filters=ActionRegisterFilters(sort=sorts[i % len(sorts)]),
            filters_text=f"bench {i}",
            today=timezone.localdate(),
            acting_user=user,
        ).pk
        for i in range(registers)
    ]
    live = headline_report_live_pdf(meeting=Meeting.objects.get(ref=meeting_ref), acting_user=user)
    draft = live.draft.pk if live.draft is not None else None
    print(json.dumps({"registers": asked, "draft": draft}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
