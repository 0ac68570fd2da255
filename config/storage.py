"""Stored files: the one way a download is answered (the object-storage backend itself is
config/object_storage.py, imported only when configured: boto3 costs ~40 MB and a second).

Solution files, objection evidence and issued certificates are written and read only through
Django's storage API (`default_storage`): the media folder by default, an S3-compatible object
store when `FILE_STORAGE_URL` is set (settings/base.py). A download is always authorised by its
view first; then a file in the media folder is streamed by the view, and a file in the object
store is answered with a redirect to a pre-signed URL valid `FILE_URL_EXPIRE_SECONDS`, unless
`FILE_DOWNLOAD_REDIRECT` is off (then the web host streams it from the store).
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import storages
from django.http import FileResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header

# What a downloaded file may do in a browser that opens it anyway: nothing.
DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-store",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


def download_response(name: str, *, filename: str, content_type: str, transform=None):
    """The answer to an authorised download of the stored file `name`, as an attachment.

    `transform(file) -> file` serves a copy made at download time (the blind-round copy without
    document metadata); such a copy is always streamed, never a redirect to the stored bytes.
    """
    storage = storages["default"]
    if transform is not None:
        with storage.open(name, "rb") as stored:
            body = transform(stored)
    elif getattr(storage, "object_storage", False):  # config.object_storage.ObjectStorage
        if settings.FILE_DOWNLOAD_REDIRECT:
            url = storage.url(
                name,
                parameters={
                    "ResponseContentDisposition": content_disposition_header(True, filename),
                    "ResponseContentType": content_type,
                    "ResponseCacheControl": "private, no-store",
                },
                expire=settings.FILE_URL_EXPIRE_SECONDS,
            )
            response = HttpResponseRedirect(url)
            response["Cache-Control"] = "private, no-store"
            response["Referrer-Policy"] = "no-referrer"
            return response
        body = storage.open_stream(name)
    else:
        body = storage.open(name, "rb")
    response = FileResponse(body, as_attachment=True, filename=filename, content_type=content_type)
    for header, value in DOWNLOAD_HEADERS.items():
        response[header] = value
    return response
