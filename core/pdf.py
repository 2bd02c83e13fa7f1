"""What every PDF the product renders shares: WeasyPrint's URL fetcher, which serves only our
own static files, and one font configuration per thread.

WeasyPrint fetches nothing from the network and reads nothing outside the static files: the
fetcher refuses ``file:``, ``data:``, other hosts and paths outside them (Indico does the
same).
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation

# The base URL of a rendered document: a name that resolves nowhere, so a relative URL in a
# template can only mean one of our static files.
INTERNAL_BASE_URL = "https://headline-report.invalid/"

_MIME_TYPES = {
    ".css": "text/css",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".jpg": "image/jpeg",
}


@lru_cache(maxsize=1)
def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesURLFetcher(URLFetcher):
        """WeasyPrint URL fetcher that serves our own static files and refuses the rest.

        Accepts URLs under :data:`INTERNAL_BASE_URL` + ``STATIC_URL`` (or an absolute
        ``STATIC_URL``) and reads the file through the staticfiles finders or
        ``STATIC_ROOT``. Anything else (``file:``, ``data:``, other hosts, paths outside the
        static files) raises ValueError: rendering never touches the network or the file
        system at large.
        """

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            path = static_path_for_url(url)
            if path is None:
                raise ValueError(f"Refused to fetch {url!r}: not one of our static files.")
            mime = _MIME_TYPES.get(path.suffix.lower(), "application/octet-stream")
            return URLFetcherResponse(url, path.read_bytes(), headers={"Content-Type": mime})

    return StaticFilesURLFetcher


def pdf_url_fetcher() -> Any:
    """A new :class:`StaticFilesURLFetcher` (WeasyPrint is imported on first use)."""
    return _fetcher_class()()


def static_path_for_url(url: str) -> Path | None:
    """The static file a report URL names, or None when it is not one of ours."""
    static_url = settings.STATIC_URL
    prefixes = [INTERNAL_BASE_URL.rstrip("/") + "/" + static_url.lstrip("/")]
    if static_url.startswith(("http://", "https://")):
        prefixes.append(static_url)
    relative = next((url[len(p) :] for p in prefixes if url.startswith(p)), None)
    if not relative:
        return None
    relative = relative.split("?", 1)[0].split("#", 1)[0]
    if ".." in relative.split("/") or relative.startswith("/") or "\\" in relative:
        return None
    try:
        found = finders.find(relative)
    except SuspiciousFileOperation:
        return None
    if not found and settings.STATIC_ROOT:
        candidate = (Path(settings.STATIC_ROOT) / relative).resolve()
        if candidate.is_file() and Path(settings.STATIC_ROOT).resolve() in candidate.parents:
            found = str(candidate)
    return Path(found) if found else None


_fonts = threading.local()


def font_config() -> Any:
    """This thread's WeasyPrint ``FontConfiguration``, made once and given to every render.

    Making one loads the system's fonts into a new Fontconfig configuration and Pango font
    map; reusing it keeps the loaded fonts and WeasyPrint's caches on it warm, which saves
    about a tenth of a DAG028 render. One per thread and per process (a forked worker makes
    its own): Pango font maps are not thread-safe. Nothing accumulates in it: the report's
    stylesheet uses system fonts, no ``@font-face`` (a font installed later is seen after a
    restart).
    """
    cached = getattr(_fonts, "config", None)
    if cached is None or cached[0] != os.getpid():
        from weasyprint.text.fonts import FontConfiguration

        cached = _fonts.config = (os.getpid(), FontConfiguration())
    return cached[1]
