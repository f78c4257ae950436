"""Comparing units side by side."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_compare_page_shows_both_units_side_by_side(browse):
    page = browse.open("/compare/?units=695,692")

    table = page.locator("main table")
    expect(table.get_by_role("columnheader", name="Huyện Đồng Phú")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Huyện Lộc Ninh")).to_be_visible()
    row_2022 = table.get_by_role("row").filter(has_text="Chỉ số CCHC năm 2022")
    expect(row_2022).to_contain_text("93,91")
