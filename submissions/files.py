"""Checks and storage for uploaded solution files.

Rules (limits below are module constants so tests and the issue note can name them):
- the type comes from the content (magic bytes, ZIP central directory), never from the name;
  only PDF, DOCX, PPTX, XLSX, ZIP, PNG and JPEG are accepted; executables, HTML and anything
  unrecognised are refused;
- ZIP-based files (plain ZIP and OOXML) are inspected through their central directory only,
  nothing is extracted: entries escaping the folder, too many entries, too much uncompressed
  data or a suspicious compression ratio are refused;
- the user's file name is only kept (sanitised) for display; the stored name is generated;
- sizes are counted while reading chunks, so an oversized file is refused without reading it whole.
"""

import hashlib
import logging
import os
import posixpath
import re
import tempfile
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.core.files.uploadhandler import (
    FileUploadHandler,
    MemoryFileUploadHandler,
    StopUpload,
    TemporaryFileUploadHandler,
)
from django.utils.translation import gettext_lazy as _

from contest.enums import DocumentKind

from .errors import FileTooLargeError, FileTypeNotAllowedError, UnsafeArchiveError

logger = logging.getLogger(__name__)

CHUNK_SIZE = 64 * 1024
HEAD_SIZE = 8 * 1024
MAX_NAME_LENGTH = 120
ZIP_MAX_ENTRIES = 1000
ZIP_MAX_UNCOMPRESSED = 500 * 1024 * 1024
ZIP_MAX_RATIO = 100
# Ratios are only judged above this much uncompressed data: tiny files of repeated bytes
# compress very well without being a danger.
ZIP_RATIO_FLOOR = 1024 * 1024

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
ZIP = "application/zip"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

EXTENSIONS = {PDF: "pdf", PNG: "png", JPEG: "jpg", ZIP: "zip", DOCX: "docx", PPTX: "pptx", XLSX: "xlsx"}
EXTENSION_ALIASES = {"jpeg": "jpg"}

# Which content types each document kind accepts.
ALLOWED_TYPES = {
    DocumentKind.PROPOSAL: {PDF, DOCX},
    DocumentKind.COMMITMENT: {PDF, PNG, JPEG},
    DocumentKind.LICENSE: {PDF, PNG, JPEG},
    DocumentKind.SLIDES: {PDF, PPTX},
    DocumentKind.ATTACHMENT: {PDF, DOCX, PPTX, XLSX, ZIP, PNG, JPEG},
}
UPLOAD_KINDS = tuple(ALLOWED_TYPES)

_REFUSED_SIGNATURES = (
    (b"\x7fELF", "application/x-executable"),
    (b"MZ", "application/x-msdownload"),
    (b"\xcf\xfa\xed\xfe", "application/x-mach-binary"),
    (b"\xfe\xed\xfa\xcf", "application/x-mach-binary"),
    (b"#!", "text/x-script"),
)
_HTML_RE = re.compile(rb"^\s*(<!doctype\s+html|<html|<script|<svg|<\?xml)", re.IGNORECASE)
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*]')
# Whitespace (any, as str.strip() sees it) and dots at either end of a name or its stem: trimmed
# so that sanitising a sanitised name changes nothing (U+00A0 before a final dot once survived).
_EDGES = re.compile(r"^[\s.]+|[\s.]+$")


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    size: int
    sha256: str
    original_name: str


def sanitize_filename(name: str, *, max_length: int = MAX_NAME_LENGTH) -> str:
    """A display name safe to show and to put in Content-Disposition.

    Drops any directory part, control and format characters (NUL, bidi overrides such as
    U+202E and U+2066–U+2069, zero-width marks), characters Windows forbids, and leading dots;
    keeps the extension and limits the length.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _WINDOWS_FORBIDDEN.sub("_", name)
    name = _EDGES.sub("", name)
    stem, dot, ext = name.rpartition(".")
    ext = re.sub(r"[^0-9A-Za-z]", "", ext)[:10].lower() if dot else ""
    if not ext:  # no usable extension: the whole name is the stem ("0._" stays "0._")
        stem = name
    stem = _EDGES.sub("", stem) or "file"
    room = max_length - (len(ext) + 1 if ext else 0)
    stem = _EDGES.sub("", stem[:room]) or "file"
    return f"{stem}.{ext}" if ext else stem


def display_name(original: str, extension: str) -> str:
    """The sanitised name with the extension matching the detected type."""
    name = sanitize_filename(original)
    stem, dot, ext = name.rpartition(".")
    if dot and EXTENSION_ALIASES.get(ext, ext) == extension:
        return name
    stem = stem if dot else name
    return sanitize_filename(f"{stem}.{extension}")


def _check_zip_entries(zf: zipfile.ZipFile) -> None:
    infos = zf.infolist()
    if len(infos) > ZIP_MAX_ENTRIES:
        raise UnsafeArchiveError(
            _("The archive has too many entries."),
            extra={"reason": "too_many_entries", "entries": len(infos), "limit": ZIP_MAX_ENTRIES},
        )
    total_uncompressed = 0
    total_compressed = 0
    for info in infos:
        raw = info.filename
        normalised = raw.replace("\\", "/")
        parts = normalised.split("/")
        if (
            "\x00" in raw
            or normalised.startswith("/")
            or re.match(r"^[A-Za-z]:", normalised)
            or ".." in parts
            or posixpath.normpath(normalised).startswith("..")
        ):
            raise UnsafeArchiveError(
                _("The archive contains an entry that points outside its folder."),
                extra={"reason": "path_traversal", "entry": sanitize_filename(raw) or "?"},
            )
        total_uncompressed += info.file_size
        total_compressed += info.compress_size
        if info.file_size > ZIP_RATIO_FLOOR and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1):
            raise UnsafeArchiveError(
                _("The archive's compression ratio is suspiciously high."),
                extra={"reason": "compression_ratio", "limit": ZIP_MAX_RATIO},
            )
    if total_uncompressed > ZIP_MAX_UNCOMPRESSED:
        raise UnsafeArchiveError(
            _("The archive would unpack to too much data."),
            extra={"reason": "too_large_uncompressed", "limit": ZIP_MAX_UNCOMPRESSED},
        )
    if total_uncompressed > ZIP_RATIO_FLOOR and total_uncompressed > ZIP_MAX_RATIO * max(total_compressed, 1):
        raise UnsafeArchiveError(
            _("The archive's compression ratio is suspiciously high."),
            extra={"reason": "compression_ratio", "limit": ZIP_MAX_RATIO},
        )


def _zip_family_type(fileobj) -> str:
    """ZIP, DOCX, PPTX or XLSX, told apart by the central directory; refuses unsafe archives."""
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as zf:
            _check_zip_entries(zf)
            names = set(zf.namelist())
    except zipfile.BadZipFile as exc:
        raise FileTypeNotAllowedError(_("The archive is damaged."), extra={"detected": "broken-zip"}) from exc
    finally:
        fileobj.seek(0)
    if "[Content_Types].xml" in names:
        if any(n.startswith("word/") for n in names):
            return DOCX
        if any(n.startswith("ppt/") for n in names):
            return PPTX
        if any(n.startswith("xl/") for n in names):
            return XLSX
    return ZIP


def sniff_content_type(head: bytes, fileobj) -> str:
    """The accepted content type of a file from its bytes, or FileTypeNotAllowedError."""
    for signature, mime in _REFUSED_SIGNATURES:
        if head.startswith(signature):
            raise FileTypeNotAllowedError(extra={"detected": mime})
    if _HTML_RE.match(head):
        raise FileTypeNotAllowedError(extra={"detected": "text/html"})
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_family_type(fileobj)
    guess = filetype.guess(head)
    raise FileTypeNotAllowedError(extra={"detected": guess.mime if guess else "unknown"})


def check_upload(uploaded, *, kind: str, max_bytes: int) -> CheckedFile:
    """Read the upload in chunks: size within `max_bytes`, SHA-256, type allowed for `kind`.

    Reads nothing past the limit; writes nothing.
    """
    digest = hashlib.sha256()
    size = 0
    head = b""
    uploaded.seek(0)
    for chunk in uploaded.chunks(CHUNK_SIZE):
        size += len(chunk)
        if size > max_bytes:
            raise FileTooLargeError(extra={"limit": max_bytes})
        if len(head) < HEAD_SIZE:
            head += chunk[: HEAD_SIZE - len(head)]
        digest.update(chunk)
    uploaded.seek(0)
    content_type = sniff_content_type(head, uploaded)
    allowed = ALLOWED_TYPES.get(kind, set())
    if content_type not in allowed:
        raise FileTypeNotAllowedError(
            _("This kind of file is not accepted for this document."),
            extra={"detected": content_type, "kind": kind, "allowed": sorted(allowed)},
        )
    extension = EXTENSIONS[content_type]
    return CheckedFile(
        content_type=content_type,
        extension=extension,
        size=size,
        sha256=digest.hexdigest(),
        original_name=display_name(getattr(uploaded, "name", "") or "", extension),
    )


def store_upload(uploaded, *, solution_id: int, extension: str) -> str:
    """Save under a generated name inside the media folder; returns the storage name."""
    name = f"solutions/{int(solution_id)}/{uuid.uuid4().hex}.{extension}"
    uploaded.seek(0)
    saved = default_storage.save(name, uploaded)
    if saved != name:  # pragma: no cover - uuid collision or a storage renaming files
        default_storage.delete(saved)
        raise RuntimeError("storage renamed a generated file name")
    return saved


def delete_stored_quietly(names) -> None:
    """Best-effort removal of files whose database rows were never committed. Never raises (it
    runs while another error propagates, which must reach the client as it is): what cannot be
    deleted now, e.g. with the object store unreachable, is left to the orphan sweep."""
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:
            logger.warning("could not delete the stored file %s; the orphan sweep will", name, exc_info=True)


# Django reads a multipart body in its upload handlers' chunk size (64 KiB by default). 1 MiB
# reads pass through the multipart parser's Python loop and the WSGI server's body buffer a
# sixteenth as often: at the deadline, with 64 KiB–2 MiB uploads, that loop and the buffer copies
# took a fifth of the web workers' CPU (py-spy --gil, bench/bench_deadline_rush.py). The limit is
# still enforced per chunk, so at most one chunk more than the limit is ever read into memory.
UPLOAD_CHUNK_BYTES = 1024 * 1024


class LimitedUploadHandler(FileUploadHandler):
    """First upload handler of an upload request: stops reading once the body passes `limit`.

    Clients that send no (or a false) Content-Length still cannot make the server store more
    than the limit: the chunk that crosses it is never handed to the handlers that write.
    """

    chunk_size = UPLOAD_CHUNK_BYTES

    def __init__(self, request=None, *, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


INCOMING_DIR = ".incoming"


def incoming_dir() -> str:
    """Where large uploads are spooled while the request is read: inside the media folder."""
    path = os.path.join(settings.MEDIA_ROOT, INCOMING_DIR)
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


class MediaTemporaryUploadedFile(TemporaryUploadedFile):
    """A spooled upload whose temporary file lives in the media folder, deleted on close."""

    def __init__(self, name, content_type, size, charset, content_type_extra=None):
        spool = tempfile.NamedTemporaryFile(suffix=".upload", dir=incoming_dir())  # noqa: SIM115 - closed with the upload
        UploadedFile.__init__(self, spool, name, content_type, size, charset, content_type_extra)


class ChunkedMemoryFileUploadHandler(MemoryFileUploadHandler):
    chunk_size = UPLOAD_CHUNK_BYTES


class MediaTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    chunk_size = UPLOAD_CHUNK_BYTES

    def new_file(self, *args, **kwargs):
        FileUploadHandler.new_file(self, *args, **kwargs)
        self.file = MediaTemporaryUploadedFile(
            self.file_name, self.content_type, 0, self.charset, self.content_type_extra
        )


def upload_handlers_for(request, *, limit: int) -> tuple[LimitedUploadHandler, list]:
    """The handlers of an upload request: size limit first, small files in memory, large files
    spooled inside the media folder (never the system temp folder)."""
    limited = LimitedUploadHandler(request, limit=limit)
    return limited, [limited, ChunkedMemoryFileUploadHandler(request), MediaTemporaryFileUploadHandler(request)]
