"""A reader's way through the demo: home, a ranking, a unit, a comparison; the two languages; the keyboard."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

RANKING = "Chỉ số CCHC năm 2022 của các huyện, thị xã, thành phố tỉnh Bình Phước"
RANKING_PATH = "/rankings/cchc-2022-70-district/"


def test_home_leads_to_a_ranking_a_unit_profile_and_a_comparison(browse):
    page = browse.open("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kết quả Chỉ số cải cách hành chính")

    browse.follow(page.get_by_role("link", name=RANKING, exact=True).first, f"**{RANKING_PATH}")
    expect(page.get_by_role("heading", level=1)).to_have_text(RANKING)
    dong_phu = page.locator("table.ranking tbody tr").filter(has_text="Đồng Phú")
    expect(dong_phu.locator("td.index")).to_have_text("93,91")
    expect(dong_phu).to_contain_text("▲ 6")

    browse.follow(dong_phu.get_by_role("link", name="Huyện Đồng Phú"), "**/units/695/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Huyện Đồng Phú")
    row_2022 = page.get_by_role("row").filter(has=page.get_by_role("link", name=RANKING, exact=True))
    expect(row_2022).to_contain_text("93,91")
    expect(row_2022).to_contain_text("5/11")
    expect(row_2022).to_contain_text("▲ 6")

    browse.follow(page.get_by_role("link", name="So sánh với đơn vị khác"), "**/compare/?units=695")
    page.get_by_label("Thêm đơn vị (tên hoặc mã)").fill("loc ninh")
    browse.follow(page.get_by_role("button", name="Thêm"), re.compile(r"/compare/\?units=695&add=loc"))
    compared = page.locator("main table.compare")
    expect(compared.get_by_role("columnheader", name="Huyện Lộc Ninh")).to_be_visible()
    expect(compared.get_by_role("row").filter(has_text="Chỉ số CCHC năm 2022")).to_contain_text("93,91")


def test_the_english_button_shows_the_page_in_english_with_english_numbers(browse):
    page = browse.open(RANKING_PATH)
    dong_phu = page.locator("table.ranking tbody tr").filter(has_text="Đồng Phú")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(dong_phu.locator("td.index")).to_have_text("93,91")

    # By its lang attribute, so that a link would do as well as a button.
    browse.follow(page.locator("header .languages [lang=en]"), f"**/en{RANKING_PATH}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    expect(dong_phu.locator("td.index")).to_have_text("93.91")


def test_the_vietnamese_button_brings_an_english_page_back_to_vietnamese(browse):
    page = browse.open(f"/en{RANKING_PATH}")
    dong_phu = page.locator("table.ranking tbody tr").filter(has_text="Đồng Phú")
    expect(dong_phu.locator("td.index")).to_have_text("93.91")

    with page.expect_navigation():
        page.locator("header .languages [lang=vi]").click()
    browse.screenshot()
    assert urlsplit(page.url).path == RANKING_PATH
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", name="Tổng quan")).to_be_visible()
    expect(dong_phu.locator("td.index")).to_have_text("93,91")


def test_tab_reaches_the_skip_link_first_and_it_takes_the_keyboard_to_the_main_content(browse):
    page = browse.open("/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    browse.screenshot("skip-link-focused")

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/#main$"))
    expect(page.locator("main")).to_be_focused()  # tabindex="-1": focusable by the link, not by Tab
    # The next Tab goes on inside it, past the header's brand link and language links.
    page.keyboard.press("Tab")
    expect(page.locator("main :focus")).to_have_count(1)
    browse.screenshot("after-skip")
