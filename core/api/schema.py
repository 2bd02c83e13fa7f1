"""The API's OpenAPI schema class (drf-spectacular): every operation's error responses.

Kept apart from the modules DRF's settings name (renderer, permission, pagination…) because
drf-spectacular's ``AutoSchema`` imports DRF's views, which read those settings.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter

from core.api.errors import ErrorSerializer

ERROR_DESCRIPTIONS = {
    "400": "Invalid input: see errors for the field errors.",
    "401": "No valid credentials: log in, or send Authorization: Token <key>.",
    "403": "Your role does not allow this.",
    "404": "No such record, or not one you may see.",
    "412": "If-Match named an ETag that is no longer current: nothing was changed.",
}


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's schema plus the error responses each operation can answer.

    Every operation can answer 400 (a bad query or body), 401 and 403; operations on one
    record 404; operations that take ``If-Match`` 412. All of them carry
    :class:`core.api.errors.ErrorSerializer`, the one error shape.
    """

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        codes = ["400", "401", "403"]
        if "{" in self.path:
            codes.append("404")
        if any(
            isinstance(p, OpenApiParameter) and p.name == "If-Match"
            for p in self.get_override_parameters()
        ):
            codes.append("412")
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    ErrorSerializer, code, media_types=["application/json"]
                )
                responses[code]["description"] = ERROR_DESCRIPTIONS[code]
        return responses
