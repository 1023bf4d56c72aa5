"""In a real browser: a township officer uploads a register file, reads the preview, imports it."""

import re

import pytest
from playwright.sync_api import expect

from enrollment.models import Household
from tests.browser import login, screenshot
from tests.enrollment.test_register_files import household_values, write_xlsx

pytestmark = pytest.mark.browser


def test_township_officer_imports_a_file_on_a_phone(phone_page, live_server, world, tmp_path):
    page = phone_page
    rows = [
        household_values("HM0001", 父亲身份证号="320684800315031"),
        household_values("HM0002", village="新河村", 奖励金发放单位="海门港务有限公司"),
    ]
    path = write_xlsx(tmp_path / "海门镇登记.xlsx", rows)
    login(page, live_server, world.user("township_a"))

    page.goto(f"{live_server.url}/enrollment/register-import/")
    expect(page.get_by_role("heading", level=1)).to_have_text("导入独生子女证登记")
    expect(page.get_by_role("link", name="下载 Excel 模板")).to_be_visible()
    screenshot(page, "register_import_upload_phone")
    page.locator("#id_file").set_input_files(str(path))
    page.get_by_role("button", name="上传并检查").click()

    expect(page).to_have_url(re.compile(r"/register-import/\d+/$"))
    expect(page.locator("main")).to_contain_text("检查通过，还没有写入任何数据")
    expect(page.locator("main")).to_contain_text("15位旧身份证号已升级为18位")
    screenshot(page, "register_import_preview_phone")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="确认导入").click()

    expect(page.get_by_role("alert").first).to_contain_text(
        "导入完成：新增 2 户，更新 0 户，未变 0 户。"
    )
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    assert Household.objects.count() == 2


def test_a_bad_file_lists_its_rows_and_offers_no_confirm(page, live_server, world, tmp_path):
    rows = [
        household_values("HM0001", 子女性别="男孩"),
        household_values("HM0002", township="三星镇", village="南星村"),
        household_values("HM0003"),
    ]
    path = write_xlsx(tmp_path / "登记.xlsx", rows)
    login(page, live_server, world.user("township_a"))

    page.goto(f"{live_server.url}/enrollment/register-import/")
    page.locator("#id_file").set_input_files(str(path))
    page.get_by_role("button", name="上传并检查").click()

    expect(page.get_by_role("alert").first).to_have_text(
        "文件中有 2 行有错误，未写入任何数据。请修改后重新上传。"
    )
    expect(page.locator("main table").first).to_contain_text("只能填“男”或“女”，不能是“男孩”")
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    screenshot(page, "register_import_preview_errors")
    assert not Household.objects.exists()
