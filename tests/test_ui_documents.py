"""Issue 10 in the staff documents tab, in a real browser: the chosen visibility on re-upload, a
malformed file beside good ones, waiting and failed uploads, long file names, and the size-limit
refusal in the interface's language."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.staff import workspace
from app.staff.upload_status import UploadStatus
from app.web.text import t

from .bad_docs import write_truncated_docx
from .test_ui_browser import open_page, shots, staff_page  # noqa: F401 - fixtures
from .ui_server import Server, build_index, serve, settings_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]

POLICY = "青禾县土地政策\n\n工业用地出让起始价按所在地土地等级对应的最低价标准执行。\n"
SECRET = "青禾县东区工业用地三百亩拟协议出让给晋北丰收食品公司，价格保密。"
SECRET_QUESTION = "青禾县东区工业用地协议出让给哪家公司？"
MAX_FILE_MB = 0.2


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    store = build_index(tmp_path_factory.mktemp("docs-ui"))
    with serve(settings_for(store, staff=True, max_file_mb=MAX_FILE_MB)) as running:
        yield running


def upload(page, files: list[Path], visibility: str, expect: str) -> None:
    """Choose files and a visibility in the documents tab, upload, wait for the line `expect` of
    the outcome (progress lines name files too, but never a visibility or a failure's reason)."""
    page.page.locator("#cr-upload input[type=file]").set_input_files([str(f) for f in files])
    for f in files:
        page.page.locator("#cr-upload", has_text=f.stem[:20]).wait_for()
    page.page.locator("#cr-upload-visibility").get_by_text(visibility, exact=True).click()
    page.page.locator("#cr-upload-btn").click()
    page.page.locator("#cr-upload-status li", has_text=expect).wait_for()


def logged_in(open_page, server, locale: str = "zh-CN"):  # noqa: F811
    page = open_page(server.staff_url, locale=locale, ready="#cr-user")
    return staff_page(lambda *args, **kwargs: page, server)


def test_a_changed_file_uploaded_as_internal_becomes_internal(server, open_page, tmp_path, shots):  # noqa: F811
    """The case as found: a re-upload chosen internal stayed public, and investors were answered
    from the new, confidential text."""
    page = logged_in(open_page, server)
    policy = tmp_path / "land_policy.txt"
    policy.write_text(POLICY, encoding="utf-8")
    upload(page, [policy], "公开", "land_policy.txt: 已新增 · 公开")
    policy.write_text(POLICY + SECRET + "\n", encoding="utf-8")
    upload(page, [policy], "内部", "land_policy.txt: 已更新 · 内部")
    assert "更新 1 个" in page.page.locator("#cr-upload-status").inner_text()
    row = page.page.locator("#cr-docs tr", has_text="land_policy.txt")
    assert row.locator(".cr-doc-visibility").inner_text() == "内部"
    page.shot(shots, "10-reupload-internal")

    investor = open_page(server.url)
    investor.ask(SECRET_QUESTION)
    assert "cr-not-found" in investor.last_answer.get_attribute("class")
    assert "晋北丰收" not in investor.page.content()

    # the same file again, now public by choice: changed in place, and said so
    upload(page, [policy], "公开", "land_policy.txt: 可见范围已更改 · 公开")
    row.locator(".cr-doc-visibility", has_text="公开").wait_for()


def test_a_malformed_file_beside_good_ones_fails_alone(server, open_page, tmp_path):  # noqa: F811
    page = logged_in(open_page, server)
    good = tmp_path / "brick_factory.txt"
    good.write_text("青禾县新型建材厂年产标准砖八千万块，产品销往周边县市。\n", encoding="utf-8")
    bad = write_truncated_docx(tmp_path / "truncated_report.docx")
    upload(page, [good, bad], "公开", "brick_factory.txt: 已新增 · 公开")
    failed = page.page.locator("#cr-upload-status .cr-warn li")
    assert failed.count() == 1
    line = failed.inner_text()
    assert line.startswith("truncated_report.docx: ") and "XMLSyntaxError" in line
    assert "Traceback" not in page.page.locator("#cr-upload-status").inner_text()
    assert "brick_factory.txt: 已新增 · 公开" in page.page.locator("#cr-upload-status").inner_text()
    row = page.page.locator("#cr-docs tr.cr-upload-failed", has_text="truncated_report.docx")
    assert "失败" in row.locator(".cr-doc-status").inner_text()
    assert {d.source for d in workspace.documents(server.settings)} >= {"brick_factory.txt"}


def test_waiting_and_failed_uploads_are_listed_after_a_restart(server, open_page, tmp_path):  # noqa: F811
    """A file left in the uploads folder by an upload cut off (recorded as waiting, not indexed),
    and the failure above, both read back from the status file."""
    folder = workspace.uploads_dir(server.settings)
    UploadStatus(folder).mark_waiting(["cut_off.txt"], "internal")
    (folder / "cut_off.txt").write_text("青禾县光伏电站装机容量二十万千瓦。\n", encoding="utf-8")
    page = logged_in(open_page, server)
    waiting = page.page.locator("#cr-docs tr.cr-upload-waiting", has_text="cut_off.txt")
    assert waiting.locator(".cr-doc-status").inner_text() == "等待建立索引"
    assert waiting.locator(".cr-doc-visibility").inner_text() == "内部"
    failed = page.page.locator("#cr-docs tr.cr-upload-failed", has_text="truncated_report.docx")
    assert "XMLSyntaxError" in failed.locator(".cr-doc-status").inner_text()

    workspace.recover(server.settings)  # what the next start does
    page.page.locator("#cr-refresh").click()
    waiting.wait_for(state="detached")
    row = page.page.locator("#cr-docs tr.cr-doc.cr-complete", has_text="cut_off.txt")
    assert row.locator(".cr-doc-visibility").inner_text() == "内部"


def test_a_long_file_name_stays_inside_the_documents_table(server, open_page, tmp_path, shots):  # noqa: F811
    name = ("county-investment-guide-" * 9)[:196] + ".txt"
    assert len(name) == 200
    long = tmp_path / name
    long.write_text("青禾县投资指南：重点产业与配套政策。\n", encoding="utf-8")
    page = logged_in(open_page, server)
    upload(page, [long], "公开", name[:40])
    cell = page.page.locator("#cr-docs td.cr-doc-file", has_text=name[:40])
    assert cell.get_attribute("title") == name
    table = page.page.locator("#cr-docs table")
    fits = table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth + 1")
    cut = cell.evaluate("c => c.scrollWidth > c.clientWidth")  # ellipsized, not overflowing
    page.shot(shots, "11-long-name")
    assert fits and cut


def test_a_file_over_the_size_limit_is_refused_in_the_interface_language(server, open_page, tmp_path):  # noqa: F811
    big = tmp_path / "big_plan.txt"
    big.write_text("青禾县" * int(MAX_FILE_MB * 2**20), encoding="utf-8")
    for locale, lang in (("zh-CN", "zh"), ("en-US", "en")):
        page = logged_in(open_page, server, locale)
        page.page.locator("#cr-upload input[type=file]").set_input_files([str(big)])
        page.page.get_by_text(t(lang, "upload_too_large", name=big.name, mb=f"{MAX_FILE_MB:g}")).wait_for()
    assert not (workspace.uploads_dir(server.settings) / big.name).exists()
