"""Spreadsheet exports from the admin that are safe to open in Excel or LibreOffice.

A cell that starts with = + - @ (or a tab or carriage return, which some programs skip before
looking) is read as a formula: a subscriber who signs up as `=HYPERLINK("https://…")` would
otherwise run in the editor's spreadsheet. Such text cells get a leading apostrophe, which
spreadsheets show as plain text (OWASP's advice for CSV injection).
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeSpreadsheetExportMixin:
    """For Wagtail index views (SpreadsheetExportMixin): neutralises formulas in CSV cells.
    (The xlsx export already stores such cells as text.)"""

    def write_csv_row(self, writer, row_dict):
        return writer.writerow(
            {
                field: neutralise_cell(self.preprocess_field_value(field, value, self.FORMAT_CSV))
                for field, value in row_dict.items()
            }
        )
