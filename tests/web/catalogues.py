"""Compile the translation catalogues for tests run without `make` (which compiles them first)."""

import importlib.util
from pathlib import Path

from django.conf import settings


def ensure_compiled() -> None:
    """Compile every .po whose .mo is missing or older, with locale/pofile.py (no GNU gettext)."""
    locale = Path(settings.BASE_DIR) / "locale"
    stale = [
        po
        for po in locale.glob("*/LC_MESSAGES/django.po")
        if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if not stale:
        return
    spec = importlib.util.spec_from_file_location("pofile", locale / "pofile.py")
    pofile = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pofile)
    pofile.compile_all(locale)
    from django.utils.translation import trans_real

    trans_real._translations = {}  # forget catalogues loaded before they were compiled
