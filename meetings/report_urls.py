"""Browser URLs of headline reports: preview, PDF, issue, and import (upload, preview, confirm)."""

urlpatterns: list = []
