"""Storage hygiene: stored solution files no version refers to."""

import datetime as dt
import os

from django.conf import settings
from django.core.files.storage import default_storage

from contest import clock

from .. import files as file_checks
from ..models import (
    SolutionFile,
)

ORPHAN_GRACE = dt.timedelta(hours=1)


def orphan_files_sweep(*, older_than: dt.timedelta = ORPHAN_GRACE) -> int:
    """Delete stored solution files that no version refers to, and stale upload spool files.

    Uploads store files before their transaction commits; a crash or an outer transaction
    rolling back between the two leaves a file without a row. Files younger than `older_than`
    are left alone (their transaction may still be running). Idempotent. Returns how many went.
    """
    cutoff = clock.now() - older_than
    removed = 0
    try:
        solution_dirs, _files = default_storage.listdir("solutions")
    except FileNotFoundError:
        solution_dirs = []
    for directory in solution_dirs:
        if not directory.isdigit():
            continue
        referenced = set(
            SolutionFile.objects.filter(version__solution_id=int(directory)).values_list("file", flat=True)
        )
        _dirs, names = default_storage.listdir(f"solutions/{directory}")
        for name in names:
            path = f"solutions/{directory}/{name}"
            if path not in referenced and default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                removed += 1
    spool = os.path.join(settings.MEDIA_ROOT, file_checks.INCOMING_DIR)
    if os.path.isdir(spool):
        for entry in os.scandir(spool):
            modified = dt.datetime.fromtimestamp(entry.stat().st_mtime, tz=dt.UTC)
            if entry.is_file() and modified < cutoff - dt.timedelta(hours=23):
                os.remove(entry.path)
                removed += 1
    return removed
