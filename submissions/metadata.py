"""The copy a judge downloads in a blind round: the document's metadata (author, company, last
modified by, XMP) is removed, so the file itself does not name the team.

Cleaned on the fly at each download, never stored: the stored file, the team's download and
the SHA-256 of its receipt stay the original bytes. The copy is written into a spooled
temporary file (memory up to SPOOL_BYTES, then disk) and streamed from there:
- PDF: rewritten by pypdf without the document information dictionary and without the XMP
  `/Metadata` and `/PieceInfo` of the catalogue and of every page. A file pypdf cannot parse
  (damaged or hand-made) gets the values of its information entries and its XMP packets
  overwritten with spaces instead, byte for byte, so every offset stays valid;
- DOCX, PPTX, XLSX (ZIP packages): every entry is copied in chunks except docProps/core.xml,
  docProps/app.xml and docProps/custom.xml, which are rewritten without the people and
  organisations they name (custom properties are dropped altogether).
Other types (images, plain ZIP) are served unchanged.
"""

import re
import shutil
import tempfile
import zipfile
from xml.etree import ElementTree as ET  # noqa: N817 - the usual name

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_xml

from submissions.errors import BlindCopyError
from submissions.files import DOCX, PDF, PPTX, XLSX

SPOOL_BYTES = 1024 * 1024
CHUNK = 64 * 1024
# A property part larger than this is not parsed; an empty one is written instead.
MAX_PROPERTIES_PART = 256 * 1024

OOXML_TYPES = (DOCX, PPTX, XLSX)
CORE = "docProps/core.xml"
APP = "docProps/app.xml"
CUSTOM = "docProps/custom.xml"
# Local names of the properties that name a person or an organisation.
CORE_DROPPED = {"creator", "lastModifiedBy"}
APP_DROPPED = {"Company", "Manager"}
EMPTY_PARTS = {
    CORE: b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties '
    b'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    b'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"/>',
    APP: b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties '
    b'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"/>',
    CUSTOM: b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties '
    b'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"/>',
}

PDF_INFO_KEYS = rb"Author|Creator|Producer|Title|Subject|Keywords|Company|Manager|LastModifiedBy|SourceModified"
# A key of the information dictionary and its value: a literal string (nested parentheses
# and escapes allowed) or a hex string.
PDF_STRING = rb"\((?:\\.|[^\\()]|\((?:\\.|[^\\()])*\))*\)|<[0-9A-Fa-f\s]*>"
PDF_INFO_ENTRY = re.compile(rb"/(?:" + PDF_INFO_KEYS + rb")\s*(" + PDF_STRING + rb")")
# XMP packets and bare XMP documents: (start, end) markers, blanked from start to end.
XMP_MARKERS = ((b"<?xpacket begin", b"<?xpacket end"), (b"<x:xmpmeta", b"</x:xmpmeta>"))


def needs_cleaning(content_type: str) -> bool:
    return content_type == PDF or content_type in OOXML_TYPES


def blind_copy(source, content_type: str):
    """A file object (at position 0) holding `source` without its metadata; the caller closes it."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - returned open
    try:
        if content_type == PDF:
            _clean_pdf(source, out)
        else:
            _clean_ooxml(source, out)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        out.close()
        raise BlindCopyError() from exc
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


# ElementTree would write ns0:, ns1: for these; the usual prefixes keep the parts readable.
for _prefix, _uri in (
    ("cp", "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"),
    ("dc", "http://purl.org/dc/elements/1.1/"),
    ("dcterms", "http://purl.org/dc/terms/"),
    ("dcmitype", "http://purl.org/dc/dcmitype/"),
    ("xsi", "http://www.w3.org/2001/XMLSchema-instance"),
    ("vt", "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"),
):
    ET.register_namespace(_prefix, _uri)


# --- PDF -------------------------------------------------------------------------------------
def _clean_pdf(source, out) -> None:
    # pypdf is imported on the first blind copy of a PDF only: most processes never make one.
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(source, strict=False)
        if reader.is_encrypted:
            raise PyPdfError("encrypted")
        writer = PdfWriter(clone_from=reader)
        writer.metadata = None
        for holder in (writer.root_object, *writer.pages):
            for key in ("/Metadata", "/PieceInfo"):
                if key in holder:
                    del holder[key]
        # Objects no longer referenced (the old XMP stream, the old information dictionary)
        # would still be written to the file: drop them.
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        writer.write(out)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        out.seek(0)
        out.truncate()
        source.seek(0)
        _blank_pdf_bytes(source.read(), out)


def _blank_value(match: re.Match) -> bytes:
    """The entry with its value's characters turned to spaces, delimiters kept: "(    )", "<  >"."""
    key = match.group(0)[: match.start(1) - match.start()]
    value = match.group(1)
    return key + value[:1] + b" " * (len(value) - 2) + value[-1:]


def _blank_pdf_bytes(data: bytes, out) -> None:
    """Same length, same offsets: information values and XMP packets become spaces."""
    data = bytearray(PDF_INFO_ENTRY.sub(_blank_value, data))
    for start_marker, end_marker in XMP_MARKERS:
        # One pass with find(): linear however many unterminated markers a hostile file holds.
        start = data.find(start_marker)
        while start != -1:
            end = data.find(end_marker, start)
            if end == -1:
                break
            end = data.find(b">", end + len(end_marker) - 1) + 1 or len(data)
            data[start:end] = b" " * (end - start)
            start = data.find(start_marker, end)
    out.write(bytes(data))


# --- Office Open XML -------------------------------------------------------------------------
def _clean_ooxml(source, out) -> None:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            if info.is_dir():
                zout.writestr(info, b"")
                continue
            if info.filename in EMPTY_PARTS:
                zout.writestr(_copy_info(info), _clean_part(zin, info))
                continue
            with zin.open(info) as src, zout.open(_copy_info(info), "w") as dst:
                shutil.copyfileobj(src, dst, CHUNK)


def _copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    copy.compress_type = info.compress_type
    copy.external_attr = info.external_attr
    return copy


def _clean_part(zin: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.filename == CUSTOM or info.file_size > MAX_PROPERTIES_PART:
        return EMPTY_PARTS[info.filename]
    dropped = CORE_DROPPED if info.filename == CORE else APP_DROPPED
    try:
        # A team's file: no entity expansion, no DTD, no external reference (defusedxml).
        root = parse_xml(zin.read(info), forbid_dtd=True)
    except (ET.ParseError, DefusedXmlException):
        return EMPTY_PARTS[info.filename]
    for parent in root.iter():
        for child in list(parent):
            if child.tag.rpartition("}")[2] in dropped:
                parent.remove(child)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)
