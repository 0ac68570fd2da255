"""Blind rounds: the judge's download of a PDF or Office file carries no author, company or
last-modified-by; the team's download stays byte for byte what it uploaded."""

import hashlib
import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from pypdf import PdfReader, PdfWriter

from contest.enums import Role
from submissions.files import DOCX
from submissions.metadata import blind_copy
from tests.factories.contest import ContestRoleFactory
from tests.factories.judging import JudgeAssignmentFactory

from .conftest import AFTER, release, upload

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

AUTHOR = "张三丰"
COMPANY = "A科技有限公司"
EDITOR = "李四光"
XMP = (
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq><rdf:li>'
    f"{AUTHOR}</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
    '<?xpacket end="w"?>'
).encode()


def real_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Author": AUTHOR, "/Company": COMPANY, "/LastModifiedBy": EDITOR, "/Title": "方案书"})
    writer.xmp_metadata = XMP
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


CORE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    f"<dc:title>智能风控方案</dc:title><dc:creator>{AUTHOR}</dc:creator>"
    f"<cp:lastModifiedBy>{EDITOR}</cp:lastModifiedBy><cp:revision>3</cp:revision>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">2026-06-01T09:00:00Z</dcterms:created>'
    "</cp:coreProperties>"
).encode()
APP = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    f"<Application>Microsoft Office Word</Application><Pages>3</Pages><Company>{COMPANY}</Company>"
    f"<Manager>{EDITOR}</Manager></Properties>"
).encode()
CUSTOM = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="2" name="团队"><vt:lpwstr>{COMPANY}'
    "</vt:lpwstr></property></Properties>"
).encode()
DOCUMENT = "<w:document><w:body>正文：方案内容</w:body></w:document>".encode()


def real_docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        zf.writestr("_rels/.rels", b"<Relationships/>")
        zf.writestr("word/document.xml", DOCUMENT)
        zf.writestr("docProps/core.xml", CORE)
        zf.writestr("docProps/app.xml", APP)
        zf.writestr("docProps/custom.xml", CUSTOM)
    return buffer.getvalue()


@pytest.fixture
def blind(api_client, clock, round1, scenario, team, captain):
    """Team A submits a DOCX proposal and a PDF commitment through the API; round 1 is blind
    and a judge holds the solution."""
    round1.blind_review = True
    round1.save()
    docx, pdf = real_docx(), real_pdf()
    api_client.force_authenticate(captain)
    solution = api_client.post(
        "/api/v1/solutions/", {"scenario": scenario.pk, "title": "智能风控方案"}, format="json"
    ).json()
    created = api_client.post(
        f"/api/v1/solutions/{solution['id']}/versions/",
        {
            "title": "智能风控方案",
            "proposal": upload("A队方案书.docx", docx),
            "commitment": upload("承诺书.pdf", pdf, "application/pdf"),
        },
        format="multipart",
    )
    assert created.status_code == 201, created.content
    submitted = api_client.post(f"/api/v1/solutions/{solution['id']}/submit/", {"version": 1}, format="json")
    assert submitted.status_code == 201, submitted.content
    from submissions.models import Solution

    solution = Solution.objects.get(pk=solution["id"])
    judge = ContestRoleFactory(contest=solution.contest, role=Role.JUDGE).user
    JudgeAssignmentFactory(round=round1, solution=solution, judge=judge)
    clock(AFTER)
    files = {f.kind: f for f in solution.final_version.files.all()}
    return {"solution": solution, "judge": judge, "files": files, "docx": docx, "pdf": pdf}


def _download(api_client, user, file) -> bytes:
    api_client.force_authenticate(user)
    response = api_client.get(reverse("submissions-api:file-download", kwargs={"pk": file.pk}))
    assert response.status_code == 200
    return release(response)


def _stored(file) -> bytes:
    with default_storage.open(file.file.name, "rb") as f:
        return f.read()


def test_judge_pdf_has_no_author_company_or_xmp(api_client, blind):
    body = _download(api_client, blind["judge"], blind["files"]["commitment"])
    reader = PdfReader(io.BytesIO(body))
    assert len(reader.pages) == 1
    assert not reader.metadata  # no information dictionary at all
    assert "/Metadata" not in reader.trailer["/Root"]
    assert b"xmpmeta" not in body and b"Author" not in body and b"Company" not in body
    assert AUTHOR.encode() not in body and COMPANY.encode("utf-16-be") not in body


def test_judge_docx_has_no_creator_editor_company_or_manager(api_client, blind):
    body = _download(api_client, blind["judge"], blind["files"]["proposal"])
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        names = zf.namelist()
        core, app, custom = (zf.read(f"docProps/{n}.xml").decode() for n in ("core", "app", "custom"))
        document = zf.read("word/document.xml")
    with zipfile.ZipFile(io.BytesIO(blind["docx"])) as original:
        assert names == original.namelist()
    for leak in (AUTHOR, COMPANY, EDITOR):
        assert leak not in core + app + custom
    assert "creator" not in core and "lastModifiedBy" not in core and "Company" not in app
    assert "智能风控方案" in core and "<cp:revision>3</cp:revision>" in core and "<ns0:Pages>3" in app
    assert document == DOCUMENT


def test_team_and_organizer_get_the_original_bytes(api_client, blind, captain, organizer):
    for kind, original in (("proposal", blind["docx"]), ("commitment", blind["pdf"])):
        file = blind["files"][kind]
        assert _download(api_client, blind["judge"], file) != original
        for user in (captain, organizer):
            assert _download(api_client, user, file) == original
        # The stored file and its SHA-256 (the receipt's input) are untouched by the judge's copy.
        assert _stored(file) == original
        assert file.sha256 == hashlib.sha256(original).hexdigest()
    receipt = blind["solution"].receipts.get()
    assert receipt.sha256 == blind["solution"].final_version.sha256


def test_judge_of_an_open_round_gets_the_original(api_client, blind, round1):
    round1.blind_review = False
    round1.save()
    assert _download(api_client, blind["judge"], blind["files"]["commitment"]) == blind["pdf"]


def test_unparsable_pdf_is_blanked_in_place():
    damaged = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"3 0 obj<</Author (Zhang \\(San\\)) /Company <4124> /Pages 1>>endobj\n"
        b"4 0 obj<</Length 40>>stream\n<x:xmpmeta>dc:creator Zhang</x:xmpmeta>\nendstream endobj\n"
        b"trailer<</Root 1 0 R/Info 3 0 R>>\n%%EOF\n"
    )
    with blind_copy(io.BytesIO(damaged), "application/pdf") as copy:
        cleaned = copy.read()
    assert len(cleaned) == len(damaged)
    assert b"Zhang" not in cleaned and b"4124" not in cleaned
    assert b"/Author (" in cleaned and b"/Pages 1>>" in cleaned


def test_hostile_property_parts_become_empty():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        b' xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>&b;</dc:creator></cp:coreProperties>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        zf.writestr("docProps/core.xml", bomb)
        zf.writestr("docProps/app.xml", b"<not xml")
    copy = blind_copy(io.BytesIO(buffer.getvalue()), DOCX)
    with copy, zipfile.ZipFile(copy) as zf:
        core, app = zf.read("docProps/core.xml"), zf.read("docProps/app.xml")
    assert b"creator" not in core and b"ENTITY" not in core and core.endswith(b"/>")
    assert app.endswith(b'extended-properties"/>')
