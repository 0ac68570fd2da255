"""Hostile uploads through the real API: every file and name of the corpus is refused or
neutralised, and nothing is written outside the test's media folder.

Each test's MEDIA_ROOT is `tmp_path/media` (tests/conftest.py); the rest of tmp_path must stay
empty, and the places a traversal name would reach must not appear.
"""

import io
import unicodedata
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from submissions.models import SolutionFile, SolutionVersion

from .world import pdf, upload

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

ROOT = Path(django_settings.BASE_DIR)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def _zip(entries, compression=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _bomb():
    # 20 MB of zeros compress to ~20 KB: ratio ~1000, far over the limit, never extracted.
    buf = io.BytesIO()
    with (
        zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
        zf.open("zeros.bin", "w", force_zip64=True) as entry,
    ):
        chunk = b"\0" * (1024 * 1024)
        for _ in range(20):
            entry.write(chunk)
    return buf.getvalue()


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120
MZ = b"MZ\x90\x00" + b"\x00" * 120
HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
SCRIPT = b"#!/bin/sh\nrm -rf /\n"

# (kind, name, content, expected status): 4xx refused; 201 accepted only with a neutralised name.
REFUSED = [
    ("proposal", "evil.pdf", ELF, 415),
    ("proposal", "setup.pdf", MZ, 415),
    ("proposal", "page.pdf", HTML, 415),
    ("commitment", "image.png", HTML, 415),
    ("commitment", "image.png", SVG, 415),
    ("commitment", "run.jpg", SCRIPT, 415),
    ("attachment", "empty.pdf", b"", 415),
    ("attachment", "bomb.zip", _bomb(), 400),
    ("attachment", "slip.zip", _zip({"../../../../evil.txt": b"owned"}), 400),
    ("attachment", "abs.zip", _zip({"/etc/cron.d/evil": b"owned"}), 400),
    ("attachment", "win.zip", _zip({"..\\..\\evil.txt": b"owned"}), 400),
    ("attachment", "truncated.zip", _zip({"a.txt": b"a" * 1000})[:-30], 415),
    ("proposal", "sheet.pdf", _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>"}), 415),
]
HOSTILE_NAMES = [
    "../../../../etc/passwd.pdf",
    "..\\..\\..\\windows\\system32\\evil.pdf",
    "/abs/path/evil.pdf",
    "evil\x00.exe.pdf",
    "invoice\u202efdp.exe",
    "\u2066report\u2069.pdf",
    "..",
    ".htaccess.pdf",
    "con:evil?.pdf",
    "a" * 500 + ".pdf",
    "方案书<script>.pdf",
]


@pytest.fixture
def outside_guard(tmp_path):
    """Fails the test if anything appears in tmp_path outside media/ or at a traversal target."""
    targets = [ROOT / "evil.txt", ROOT / "etc" / "passwd.pdf", Path("/tmp/evil.txt"), tmp_path / "evil.txt"]
    before = {p for p in tmp_path.rglob("*") if "media" not in p.relative_to(tmp_path).parts}
    yield
    after = {p for p in tmp_path.rglob("*") if "media" not in p.relative_to(tmp_path).parts}
    assert after == before, f"written outside the media folder: {sorted(after - before)}"
    assert not [t for t in targets if t.exists()]


def _post(client_for, world, kind, name, content):
    return client_for("captain_a").post(
        f"/api/v1/solutions/{world.sol_a.pk}/versions/", {kind: upload(name, content)}, format="multipart"
    )


@pytest.mark.parametrize(("kind", "name", "content", "status"), REFUSED, ids=[r[1] for r in REFUSED])
def test_hostile_content_is_refused_and_nothing_is_stored(
    world, client_for, settings, outside_guard, kind, name, content, status
):
    media = Path(settings.MEDIA_ROOT)
    files_before = sorted(media.rglob("*"))
    versions_before = SolutionVersion.objects.count()
    response = _post(client_for, world, kind, name, content)
    assert response.status_code == status, response.content
    assert response.json()["code"] in ("file_type_not_allowed", "unsafe_archive", "file_too_large")
    assert SolutionVersion.objects.count() == versions_before
    assert sorted(media.rglob("*")) == files_before


def test_one_byte_over_the_limit_is_refused(world, client_for, settings, outside_guard):
    limit = world.round1.max_upload_bytes
    body = pdf() + b"%" + b"0" * (limit - len(pdf()))
    assert len(body) == limit + 1
    response = _post(client_for, world, "proposal", "big.pdf", body)
    assert response.status_code == 413


def test_truncated_multipart_body_is_refused_and_stores_nothing(world, client_for, settings, outside_guard):
    boundary = "XyZ"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="proposal"; filename="a.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode() + pdf()[:40]  # no closing boundary: the client died mid-upload
    before = SolutionVersion.objects.count()
    response = client_for("captain_a").generic(
        "POST",
        f"/api/v1/solutions/{world.sol_a.pk}/versions/",
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert 400 <= response.status_code < 500
    assert SolutionVersion.objects.count() == before


def _raw_multipart(kind, name, content, boundary="hostileBoundary42"):
    """A multipart body written by hand: the file name goes on the wire exactly as given."""
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{kind}"; filename="{name}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode("utf-8", "surrogatepass")
    return head + content + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_names_are_neutralised(world, client_for, settings, outside_guard, name):
    body, content_type = _raw_multipart("proposal", name, pdf())
    response = client_for("captain_a").generic(
        "POST", f"/api/v1/solutions/{world.sol_a.pk}/versions/", body, content_type=content_type
    )
    if name == "..":  # Django's parser drops a file with no usable name: refused, nothing stored
        assert response.status_code == 400 and response.json()["code"] == "no_files"
        return
    assert response.status_code == 201, response.content
    stored = SolutionFile.objects.order_by("-id").first()
    shown = stored.original_name
    assert "/" not in shown and "\\" not in shown and not shown.startswith(".")
    assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in shown)
    assert not any(ch in shown for ch in '<>:"|?*')
    assert len(shown) <= 120
    assert shown.endswith(".pdf")
    # The stored file lives under the media folder with a generated name.
    path = (Path(settings.MEDIA_ROOT) / stored.file.name).resolve()
    assert path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert path.name != shown
    # The download's Content-Disposition carries the neutralised name only.
    download = client_for("captain_a").get(f"/api/v1/files/{stored.pk}/download/")
    disposition = download["Content-Disposition"]
    for closer in download._resource_closers:
        closer()
    assert "\x00" not in disposition and "\u202e" not in disposition and "../" not in disposition
    assert download["X-Content-Type-Options"] == "nosniff"
