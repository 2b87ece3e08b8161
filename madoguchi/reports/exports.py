"""A report table as a CSV file that Excel in Japan opens as it is.

UTF-8 with a byte order mark (without one, Excel reads the file as Shift_JIS and garbles
Japanese names), CRLF line ends. A text cell that starts with = + - @ (or a tab or carriage
return) is prefixed with a single quote, so a spreadsheet shows it instead of running it as
a formula (CSV injection, OWASP); numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse

from madoguchi.reports.tables import Table

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_text(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_text(header) for header in table.headers])
    for row in table.rows:
        writer.writerow(
            [
                ""
                if cell.value is None
                else cell.value
                if cell.is_number
                else safe_text(str(cell.value))
                for cell in row
            ]
        )
    return BOM + buffer.getvalue()


def csv_response(table: Table, *, filename: str) -> HttpResponse:
    response = HttpResponse(csv_text(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
