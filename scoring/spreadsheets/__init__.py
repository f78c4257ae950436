"""Every spreadsheet format of the portal, both ways.

Reading (any file people make: xlsx, ods, csv):
  ``extent``    how far a sheet reaches, found before anything is built (size limits)
  ``reader``    a file's grid, its header row found by name, cells parsed as text, numbers, dates
  ``units``     a units file → unit rows for ``units.services.units_upsert``
  ``imports``   criteria, scores and published-results files → the services' records
  ``previews``  an import as a preview of what it would change (the admin, the staff
                editor and the commands show it), or written through the services
Writing:
  ``writers``   tables as CSV and XLSX (formula-safe, reproducible bytes) and the blank
                scoring template, whose labels the score reader reads back
"""
