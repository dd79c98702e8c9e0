"""Reads an XLSX workbook with openpyxl (an independent reader) and prints its first sheet's rows as JSON:
every cell as text, empty cells as ''. Used to check the schedule backup's workbook against its CSV."""
import json
import sys

import openpyxl

book = openpyxl.load_workbook(sys.argv[1], read_only=True)
sheet = book.worksheets[0]
rows = []
for row in sheet.iter_rows(values_only=True):
    rows.append(['' if v is None else str(v) for v in row])
print(json.dumps({"sheet": sheet.title, "rows": rows}))
