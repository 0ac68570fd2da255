"""File rules: type from content, ZIP central-directory checks, name sanitising, size limit."""

import io
import zipfile

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from submissions import files
from submissions.errors import FileTooLargeError, FileTypeNotAllowedError, UnsafeArchiveError

from .conftest import ELF, JPEG, PNG, ooxml, pdf, upload, zip_bytes

pytestmark = [pytest.mark.unit]


@pytest.mark.parametrize(
    ("name", "content", "kind", "expected"),
    [
        ("方案书.pdf", pdf(), "proposal", files.PDF),
        ("方案书.docx", ooxml("word"), "proposal", files.DOCX),
        ("路演.pptx", ooxml("ppt"), "slides", files.PPTX),
        ("预算.xlsx", ooxml("xl"), "attachment", files.XLSX),
        ("源码.zip", zip_bytes({"src/main.py": b"print(1)"}), "attachment", files.ZIP),
        ("扫描.png", PNG, "commitment", files.PNG),
        ("扫描.jpg", JPEG, "license", files.JPEG),
        # The name lies; the content decides.
        ("scan.pdf", PNG, "commitment", files.PNG),
    ],
)
def test_check_upload_accepts_by_content(name, content, kind, expected):
    checked = files.check_upload(upload(name, content), kind=kind, max_bytes=1024 * 1024)
    assert checked.content_type == expected
    assert checked.size == len(content)
    import hashlib

    assert checked.sha256 == hashlib.sha256(content).hexdigest()
    assert checked.original_name.endswith("." + files.EXTENSIONS[expected])


@pytest.mark.parametrize(
    ("name", "content", "detected"),
    [
        ("invoice.pdf", ELF, "application/x-executable"),
        ("setup.pdf", b"MZ\x90\x00" + b"\x00" * 64, "application/x-msdownload"),
        ("page.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "text/html"),
        ("image.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "text/html"),
        ("run.pdf", b"#!/bin/sh\nrm -rf /\n", "text/x-script"),
        ("notes.pdf", b"just some text", "unknown"),
        ("movie.pdf", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 32, "video/mp4"),
    ],
)
def test_check_upload_refuses_other_content(name, content, detected):
    with pytest.raises(FileTypeNotAllowedError) as exc:
        files.check_upload(upload(name, content), kind="attachment", max_bytes=1024 * 1024)
    assert exc.value.extra["detected"] == detected


def test_check_upload_refuses_type_not_allowed_for_kind():
    with pytest.raises(FileTypeNotAllowedError) as exc:
        files.check_upload(upload("方案书.zip", zip_bytes({"a.txt": b"a"})), kind="proposal", max_bytes=10**6)
    assert exc.value.extra["detected"] == files.ZIP


def test_zip_slip_entry_refused():
    archive = zip_bytes({"ok.txt": b"ok", "../../evil.txt": b"pwned"})
    with pytest.raises(UnsafeArchiveError) as exc:
        files.check_upload(upload("src.zip", archive), kind="attachment", max_bytes=10**6)
    assert exc.value.extra["reason"] == "path_traversal"


@pytest.mark.parametrize("entry", ["/etc/passwd", "C:/Windows/evil.dll", "a/../../b.txt", "..\\..\\evil.txt"])
def test_zip_absolute_and_backslash_entries_refused(entry):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo(entry), b"x")
    with pytest.raises(UnsafeArchiveError):
        files.check_upload(upload("src.zip", buf.getvalue()), kind="attachment", max_bytes=10**6)


def test_zip_bomb_ratio_refused_without_extracting():
    # 20 MB of zeros deflate to ~20 KB: a ratio near 1000 (limit 100).
    archive = zip_bytes({"zeros.bin": b"\x00" * (20 * 1024 * 1024)})
    assert len(archive) < 100 * 1024
    with pytest.raises(UnsafeArchiveError) as exc:
        files.check_upload(upload("data.zip", archive), kind="attachment", max_bytes=10**6)
    assert exc.value.extra["reason"] == "compression_ratio"


def test_zip_declared_uncompressed_size_limit(monkeypatch):
    monkeypatch.setattr(files, "ZIP_MAX_UNCOMPRESSED", 1000)
    archive = zip_bytes({"a.bin": bytes(range(256)) * 8}, compression=zipfile.ZIP_STORED)
    with pytest.raises(UnsafeArchiveError) as exc:
        files.check_upload(upload("data.zip", archive), kind="attachment", max_bytes=10**6)
    assert exc.value.extra["reason"] == "too_large_uncompressed"


def test_zip_too_many_entries_refused():
    archive = zip_bytes({f"f{i}.txt": b"" for i in range(files.ZIP_MAX_ENTRIES + 1)}, compression=zipfile.ZIP_STORED)
    with pytest.raises(UnsafeArchiveError) as exc:
        files.check_upload(upload("many.zip", archive), kind="attachment", max_bytes=10**6)
    assert exc.value.extra == {"reason": "too_many_entries", "entries": 1001, "limit": 1000}


def test_docx_with_traversal_entry_refused():
    archive = zip_bytes({"[Content_Types].xml": b"<T/>", "word/document.xml": b"<d/>", "../x.xml": b"x"})
    with pytest.raises(UnsafeArchiveError):
        files.check_upload(upload("方案书.docx", archive), kind="proposal", max_bytes=10**6)


def test_broken_zip_refused():
    with pytest.raises(FileTypeNotAllowedError):
        files.check_upload(upload("a.zip", b"PK\x03\x04garbage"), kind="attachment", max_bytes=10**6)


def test_size_limit_stops_reading():
    from django.core.files import File

    content = pdf() + b"0" * (1024 * 1024)

    class CountingIO(io.BytesIO):
        read_bytes = 0

        def read(self, size=-1):
            data = super().read(size)
            CountingIO.read_bytes += len(data)
            return data

    with pytest.raises(FileTooLargeError) as exc:
        files.check_upload(File(CountingIO(content), name="big.pdf"), kind="proposal", max_bytes=100 * 1024)
    assert exc.value.extra == {"limit": 100 * 1024}
    # Stopped at the first chunk past the limit, not after reading the whole megabyte.
    assert CountingIO.read_bytes <= 100 * 1024 + files.CHUNK_SIZE < len(content)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../x.pdf", "x.pdf"),
        ("..\\..\\windows\\x.pdf", "x.pdf"),
        ("/etc/passwd", "passwd"),
        ("方案\x00书.pdf", "方案书.pdf"),
        ("report\u202egnp.pdf", "reportgnp.pdf"),
        ("a\u2066b\u2069c.docx", "abc.docx"),
        ("tab\tnew\nline.pdf", "tabnewline.pdf"),
        ("...hidden.pdf", "hidden.pdf"),
        ('a<b>:"c|?*.pdf', "a_b___c___.pdf"),
        ("", "file"),
        ("..", "file"),
        ("a." + "b" * 30, "a.bbbbbbbbbb"),
    ],
)
def test_sanitize_filename(raw, expected):
    assert files.sanitize_filename(raw) == expected


def test_sanitize_filename_limits_length_and_keeps_extension():
    name = files.sanitize_filename("长" * 500 + ".pdf")
    assert len(name) == files.MAX_NAME_LENGTH
    assert name.endswith(".pdf")


def test_display_name_follows_detected_type():
    assert files.display_name("report.exe", "pdf") == "report.pdf"
    assert files.display_name("photo.JPEG", "jpg") == "photo.jpeg"
    assert files.display_name("noext", "pdf") == "noext.pdf"


def test_limited_upload_handler_stops_streaming_past_limit(rf):
    from django.core.files.uploadhandler import MemoryFileUploadHandler
    from django.http.multipartparser import MultiPartParser
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    body = encode_multipart(BOUNDARY, {"proposal": upload("big.pdf", pdf() + b"0" * 200_000)})
    limited = files.LimitedUploadHandler(limit=50_000)
    memory = MemoryFileUploadHandler()
    received = []

    class Spy(MemoryFileUploadHandler):
        def receive_data_chunk(self, raw_data, start):
            received.append(len(raw_data))
            return super().receive_data_chunk(raw_data, start)

    parser = MultiPartParser(
        {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(len(body))},
        io.BytesIO(body),
        [limited, Spy(), memory],
    )
    _post, uploaded = parser.parse()
    assert limited.exceeded
    assert "proposal" not in uploaded
    assert sum(received) <= 50_000


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=400))
# Names that once changed when sanitised a second time: "0._" became "0", "0\xa0" became "0".
@example("0.<.")
@example("0\xa0.")
@example("0.A.")
def test_sanitize_filename_never_yields_a_path_or_hidden_characters(raw):
    import unicodedata

    name = files.sanitize_filename(raw)
    assert 1 <= len(name) <= files.MAX_NAME_LENGTH
    assert "/" not in name and "\\" not in name and "\x00" not in name
    assert not name.startswith(".") and name not in ("..", ".")
    assert all(unicodedata.category(ch) not in ("Cc", "Cf") for ch in name)
    assert files.sanitize_filename(name) == name
