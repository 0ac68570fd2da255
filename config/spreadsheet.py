"""Cells of every CSV and XLSX export: text a spreadsheet program would run as a formula is
written as text (CSV/formula injection, OWASP), numbers stay numbers.

Every export writer goes through `csv_cell` or `xlsx_row`, so a team, judge or title beginning
with `=`, `+`, `-`, `@`, a tab or a carriage return never becomes a formula.
"""

from openpyxl.cell import WriteOnlyCell

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    """Text a spreadsheet program would read as a formula (numbers are never escaped)."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def csv_cell(value) -> str:
    """One CSV field: formula-like text gets a leading apostrophe, which Excel, LibreOffice and
    WPS show as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if is_formula_like(value):
        return "'" + value
    return str(value)


def xlsx_row(sheet, values) -> list:
    """One row for a write-only openpyxl sheet: text as explicit string cells, unchanged (openpyxl
    would otherwise store text beginning with `=` as a formula; a string cell is never
    evaluated), booleans as 0/1, numbers as numbers."""
    cells = []
    for value in values:
        if isinstance(value, bool):
            cells.append(int(value))
        elif isinstance(value, str):
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"
            cells.append(cell)
        else:
            cells.append(value)
    return cells
