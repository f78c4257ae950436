"""Writes the sample spreadsheets of tests/data (run once; the files are committed).
They carry the quirks real files have: title rows, merged cells, STT and Ghi chú
columns, a total column, codes typed as numbers, decimal commas, NBSP, KAD.

    .venv/bin/pip install odfpy openpyxl && .venv/bin/python tests/data/make_samples.py
"""

from pathlib import Path

import openpyxl
import pandas as pd

HERE = Path(__file__).parent

CRITERIA = [
    ("Mã tiêu chí", "Tiêu chí", "Điểm tối đa", "Loại", "Thành phần"),
    ("1", "Công tác chỉ đạo, điều hành", 10, "", ""),
    ("1.1", "Kế hoạch CCHC", 4, "", ""),
    ("1.2", "Kiểm tra CCHC", 6, "", ""),
    ("2", "Cải cách thủ tục hành chính", "14,5", "", ""),
    ("2.1", "Công khai TTHC", "4,5", "", ""),
    ("2.2", "Một cửa", 10, "", ""),
    ("3", "Điều tra xã hội học", "75,5", "", "Điều tra xã hội học"),
    ("4", "Sáng kiến", 2, "Điểm cộng", ""),
    ("5", "Vi phạm", 3, "Điểm trừ", ""),
]

# Three districts of Bình Phước; hand-computed in tests/scoring/test_imports.py.
WIDE_HEADER = ["STT", "Mã đơn vị", "Tên đơn vị", 1.1, 1.2, "2.1", "2.2. Một cửa", 3, 4, 5, "Tổng điểm", "Ghi chú"]
WIDE_ROWS = [
    [1, 689, "TP. Đồng Xoài", 4, 5.5, "4,25", 10, 70, 1, 0.5, 94.25, ""],
    [2, "695", "Huyện Đồng Phú", 3, "KAD", "4.5", "\u00a09,5 ", "65,25", None, None, "82,25", "có KAD"],
    [3, None, "Lộc Ninh", 2, 3, 1, 5, 60, None, 3, 68, None],
]


def criteria_csv():
    lines = ["DANH MỤC TIÊU CHÍ CHỈ SỐ CCHC CẤP HUYỆN NĂM 2022;;;;", ";;;;"]
    lines += [";".join(str(cell) for cell in row) for row in CRITERIA]
    (HERE / "criteria_district.csv").write_bytes("\ufeff".join(["", "\n".join(lines) + "\n"]).encode())


def wide_xlsx():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Bảng điểm"
    sheet["A1"] = "BẢNG TỔNG HỢP ĐIỂM CHỈ SỐ CCHC NĂM 2022"
    sheet.merge_cells("A1:L1")
    sheet["A2"] = "(Kèm theo Quyết định số 501/QĐ-UBND ngày 29/3/2023)"
    sheet.merge_cells("A2:L2")
    sheet.append([])
    sheet.append(WIDE_HEADER)
    sheet.append(list(range(1, len(WIDE_HEADER) + 1)))  # the column numbers Vietnamese forms print
    for row in WIDE_ROWS:
        sheet.append(row)
    book.save(HERE / "scores_wide.xlsx")


def wide_ods():
    frame = pd.DataFrame([row[:11] for row in WIDE_ROWS], columns=WIDE_HEADER[:11])
    frame.to_excel(HERE / "scores_wide.ods", engine="odf", index=False)


def long_csv():
    rows = []
    for row in WIDE_ROWS:
        code = str(row[1] or "")
        for header, value in zip(WIDE_HEADER[3:10], row[3:10], strict=True):
            criterion = str(header)[:3]  # "2.2. Một cửa" -> "2.2"
            if value is not None:
                rows.append((code or "", "" if code else row[2], criterion, str(value).replace("\u00a0", " ").strip()))
    text = "Mã đơn vị;Tên đơn vị;Mã tiêu chí;Điểm\n" + "\n".join(";".join(map(str, row)) for row in rows) + "\n"
    (HERE / "scores_long.csv").write_bytes(("\ufeff" + text).encode())
    comma = (
        "unit_code,unit_name,criterion_code,points\n"
        + "\n".join(",".join(f'"{cell}"' if "," in str(cell) else str(cell) for cell in row) for row in rows)
        + "\n"
    )
    (HERE / "scores_long_comma.csv").write_text(comma, encoding="utf-8")


def results_xlsx():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "KẾT QUẢ CHỈ SỐ CCHC NĂM 2022 CỦA CÁC HUYỆN, THỊ XÃ, THÀNH PHỐ"
    sheet.merge_cells("A1:F1")
    sheet.append(["STT", "Đơn vị", "Cải cách thủ tục hành chính", "Chỉ số CCHC", "Xếp hạng", "Xếp loại"])
    sheet.append(["1", "Huyện Đồng Phú", "13,96", "93,91", 1, "Xuất sắc"])
    sheet.append(["2", "Thành phố Đồng Xoài", 13.5, 90.12, 2, "Xuất sắc"])
    sheet.append(["3", "Huyện Lộc Ninh", 12, "85,4", 4, "Tốt"])  # the decision's rank 4 disagrees: flagged
    book.save(HERE / "results_district.xlsx")


if __name__ == "__main__":
    criteria_csv()
    wide_xlsx()
    wide_ods()
    long_csv()
    results_xlsx()
