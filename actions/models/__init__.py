"""The actions app's models, one module per idea; import them from here.

``action``: actions, their owners, and the facts derived from them (overdue, owner text,
the ref's sort key). ``reviews``: progress updates and reviews at later meetings.
``records``: the reminder log and stored register PDFs. Migrations name
``actions.models.register_pdf_upload_to``, so it stays importable here.
"""

from actions.models.action import (
    Action,
    ActionOwner,
    ActionOwnerQuerySet,
    ActionQuerySet,
    action_due_sort,
    action_is_overdue,
    action_ref_sort_key,
    owner_columns_text,
    owner_text,
)
from actions.models.records import (
    REGISTER_PDF_STORAGE_DIR,
    RegisterPdf,
    ReminderLog,
    register_pdf_upload_to,
)
from actions.models.reviews import ActionReview, ActionUpdate

__all__ = [
    "REGISTER_PDF_STORAGE_DIR",
    "Action",
    "ActionOwner",
    "ActionOwnerQuerySet",
    "ActionQuerySet",
    "ActionReview",
    "ActionUpdate",
    "RegisterPdf",
    "ReminderLog",
    "action_due_sort",
    "action_is_overdue",
    "action_ref_sort_key",
    "owner_columns_text",
    "owner_text",
    "register_pdf_upload_to",
]
