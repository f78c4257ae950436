"""The labels the portal's spreadsheets carry, in Vietnamese whatever the page's
language: the scoring template (``writers``) writes them and the readers
(``imports``) look for them first, so the two agree. Defined here only."""

SCORES_SHEET = "Điểm"
CRITERIA_SHEET = "Tiêu chí"
UNIT_CODE = "Mã đơn vị"
UNIT_NAME = "Tên đơn vị"
CRITERION_CODE = "Mã tiêu chí"
CRITERION_NAME = "Tiêu chí"
MAXIMUM = "Điểm tối đa"  # a criterion's maximum; in the template, the row of maxima under the header
KIND = "Loại"
NAME_EN = "Tên tiếng Anh"  # a name's English version (optional)
# Not applicable (không áp dụng), as the template and the grids write it; the readers
# also take N/A and "Không áp dụng" (``imports.NOT_APPLICABLE_TOKENS``).
NOT_APPLICABLE = "KAD"
