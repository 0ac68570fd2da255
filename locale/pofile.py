"""Read GNU gettext .po catalogues and compile them to .mo without GNU gettext.

`manage.py compilemessages` needs GNU msgfmt; on a machine without it, `make demo` runs
`python locale/pofile.py` instead, so the pages still speak Chinese. The test suite uses
`parse_po` to check that the Chinese catalogue is complete.
"""

import ast
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    line: int = 0

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(value.strip() for value in self.msgstr.values())


def parse_po(text: str) -> list[Entry]:
    """Entries of a .po file: blank lines separate entries, `#,` lines carry flags, `#~` marks
    obsolete entries, and strings may continue on following quoted lines."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int | None] | None = None

    def finish():
        nonlocal entry, target
        if entry is not None and (entry.msgid or entry.msgstr or entry.obsolete):
            entries.append(entry)
        entry, target = None, None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if entry is None:
            entry = Entry(line=number)
        if line.startswith("#~"):
            entry.obsolete = True
            continue
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            _store(entry, target, ast.literal_eval(line), append=True)
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith("msgstr["):
            target = ("msgstr", int(keyword[7:-1]))
        elif keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
            target = (keyword, 0 if keyword == "msgstr" else None)
            if keyword == "msgid":
                entry.line = number
        else:
            raise ValueError(f"line {number}: unexpected {keyword!r}")
        _store(entry, target, ast.literal_eval(rest.strip()), append=False)
    finish()
    return entries


def _store(entry: Entry, target, value: str, *, append: bool) -> None:
    if target is None:
        raise ValueError(f"line {entry.line}: a string continues nothing")
    name, index = target
    if name == "msgstr":
        entry.msgstr[index] = (entry.msgstr.get(index, "") if append else "") + value
    else:
        setattr(entry, name, ((getattr(entry, name) or "") if append else "") + value)


def compile_mo(entries: list[Entry]) -> bytes:
    """The .mo bytes msgfmt would write: translated, non-fuzzy entries plus the header."""
    messages: dict[bytes, bytes] = {}
    for e in entries:
        if e.obsolete or (e.msgid and ("fuzzy" in e.flags or not e.translated)):
            continue
        key = e.msgid if e.msgid_plural is None else f"{e.msgid}\0{e.msgid_plural}"
        if e.msgctxt is not None:
            key = f"{e.msgctxt}\x04{key}"
        value = "\0".join(e.msgstr[i] for i in sorted(e.msgstr))
        messages[key.encode()] = value.encode()
    keys = sorted(messages)
    ids = strs = b""
    offsets = []
    for key in keys:
        offsets.append((len(ids), len(key), len(strs), len(messages[key])))
        ids += key + b"\0"
        strs += messages[key] + b"\0"
    header_size = 7 * 4
    key_table = header_size
    value_table = key_table + len(keys) * 8
    ids_start = value_table + len(keys) * 8
    strs_start = ids_start + len(ids)
    key_offsets, value_offsets = [], []
    for id_offset, id_length, str_offset, str_length in offsets:
        key_offsets += [id_length, ids_start + id_offset]
        value_offsets += [str_length, strs_start + str_offset]
    output = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), key_table, value_table, 0, 0)
    output += struct.pack(f"{len(key_offsets)}i", *key_offsets)
    output += struct.pack(f"{len(value_offsets)}i", *value_offsets)
    return output + ids + strs


def compile_all(locale_dir: Path) -> list[Path]:
    written = []
    for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        mo.write_bytes(compile_mo(parse_po(po.read_text(encoding="utf-8"))))
        written.append(mo)
    return written


if __name__ == "__main__":
    for path in compile_all(Path(__file__).resolve().parent):
        sys.stdout.write(f"compiled {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}\n")
