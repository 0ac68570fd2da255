"""The Chinese catalogue is complete: every msgid has a translation and none is fuzzy.

The .po reader is locale/pofile.py (no extra dependency); it also compiles catalogues where
GNU gettext is missing, which the last test checks against the runtime.
"""

import importlib.util
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

pytestmark = [pytest.mark.unit]

LOCALE = Path(settings.BASE_DIR) / "locale"
CATALOGUE = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"

_spec = importlib.util.spec_from_file_location("pofile", LOCALE / "pofile.py")
pofile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pofile)
parse_po, Entry = pofile.parse_po, pofile.Entry


def test_parser_reads_plurals_context_flags_and_continuations():
    text = (
        '#, fuzzy\nmsgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n\n'
        '#, python-format\nmsgctxt "menu"\nmsgid "Open"\nmsgstr "打开"\n\n'
        'msgid "one"\nmsgid_plural "many"\nmsgstr[0] ""\n"多个"\n\n'
        '#, fuzzy\nmsgid "Draft"\nmsgstr "草稿"\n\n'
        '#~ msgid "gone"\n#~ msgstr ""\n'
    )
    header, ctx, plural, fuzzy, obsolete = parse_po(text)
    assert header.msgid == "" and "Language" in header.msgstr[0] and "fuzzy" in header.flags
    assert ctx.msgctxt == "menu" and ctx.msgstr[0] == "打开"
    assert plural.msgid_plural == "many" and plural.msgstr[0] == "多个"
    assert "fuzzy" in fuzzy.flags
    assert obsolete.obsolete


def problems(entries: list[Entry]) -> list[str]:
    found = []
    for e in entries:
        if e.obsolete:
            continue
        label = f"line {e.line}: {e.msgid!r}"
        if "fuzzy" in e.flags:
            found.append(f"{label} is fuzzy")
        if e.msgid == "":
            continue
        if not e.msgstr or any(not value.strip() for value in e.msgstr.values()):
            found.append(f"{label} is untranslated")
    return found


def test_problems_flags_untranslated_and_fuzzy():
    entries = parse_po('msgid "A"\nmsgstr ""\n\n#, fuzzy\nmsgid "B"\nmsgstr "乙"\n\nmsgid "C"\nmsgstr "丙"\n')
    assert problems(entries) == ["line 1: 'A' is untranslated", "line 5: 'B' is fuzzy"]


def test_chinese_catalogue_is_complete():
    entries = parse_po(CATALOGUE.read_text(encoding="utf-8"))
    assert len(entries) > 100, "the catalogue looks empty; run `make messages`"
    found = problems(entries)
    assert not found, f"{len(found)} problems in {CATALOGUE.name}:\n" + "\n".join(found[:50])


def test_placeholders_survive_translation():
    """A translation keeps every %(name)s / {{ name }} placeholder of its msgid."""
    pattern = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{\s*\w+\s*\}\}|\{\w*\}")
    bad = []
    for e in parse_po(CATALOGUE.read_text(encoding="utf-8")):
        if not e.msgid or e.obsolete:
            continue
        wanted = sorted(set(pattern.findall(e.msgid_plural or e.msgid)) | set(pattern.findall(e.msgid)))
        for value in e.msgstr.values():
            if value and sorted(set(pattern.findall(value))) != wanted:
                bad.append(f"line {e.line}: {e.msgid!r} -> {value!r}")
    assert not bad, "\n".join(bad[:50])


@pytest.mark.django_db
def test_pages_default_to_chinese_and_switch_to_english(settings):
    client = Client()
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert 'lang="zh-Hans"' in home.content.decode()
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    english = client.get(reverse("home"))
    assert 'lang="en"' in english.content.decode()


def test_pure_python_compiler_output_is_read_by_gettext(tmp_path):
    import gettext

    text = (
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        'msgid "Sign in"\nmsgstr "登录"\n\n'
        'msgctxt "menu"\nmsgid "Open"\nmsgstr "打开"\n\n'
        'msgid "%(n)s team"\nmsgid_plural "%(n)s teams"\nmsgstr[0] "%(n)s 支团队"\n\n'
        '#, fuzzy\nmsgid "Draft"\nmsgstr "草稿"\n'
    )
    mo = tmp_path / "django.mo"
    mo.write_bytes(pofile.compile_mo(parse_po(text)))
    with mo.open("rb") as fp:
        catalogue = gettext.GNUTranslations(fp)
    assert catalogue.gettext("Sign in") == "登录"
    assert catalogue.pgettext("menu", "Open") == "打开"
    assert catalogue.ngettext("%(n)s team", "%(n)s teams", 5) == "%(n)s 支团队"
    assert catalogue.gettext("Draft") == "Draft"  # fuzzy entries are left out, as msgfmt does
