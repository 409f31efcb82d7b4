"""The PDF documents, rendered from realistic views and read back as text."""

import dataclasses
import hashlib
import io
import os
import re
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError

from loanflow.documents import PublicityEntry, build_view, render_document
from loanflow.documents.render import TEMPLATE_DIR, RefusedURL, TemplateFilesOnly, template_version
from loanflow.documents.testing.samples import MAX_BYTES, SAMPLES


def pdf_lines(content: bytes) -> list[str]:
    """The PDF's text laid out as on the page, one printed line per item."""
    result = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True
    )
    result.check_returncode()
    return result.stdout.decode().splitlines()


def squeeze(text: str) -> str:
    """Text without whitespace, so that wrapped lines and table spacing still match."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def rendered():
    """Each kind rendered once for the whole module (a render costs 60-250 ms)."""
    return {kind: render_document(kind, build_view(kind, data)) for kind, data in SAMPLES.items()}


@pytest.fixture(scope="module")
def lines(rendered):
    return {kind: pdf_lines(document.content) for kind, document in rendered.items()}


@pytest.fixture(scope="module")
def texts(lines):
    return {kind: squeeze("\n".join(kind_lines)) for kind, kind_lines in lines.items()}


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_every_document_is_a_small_pdf_with_its_hash_and_template_version(rendered, kind):
    document = rendered[kind]
    assert document.kind == kind
    assert document.content.startswith(b"%PDF-")
    assert len(document.content) <= MAX_BYTES
    assert document.sha256 == hashlib.sha256(document.content).hexdigest()
    assert document.template_version == template_version(kind)
    assert re.fullmatch(r"[0-9a-f]{64}", document.template_version)


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_every_page_is_a4_numbered_in_chinese_and_dated_by_the_issue_date(rendered, texts, kind):
    reader = PdfReader(io.BytesIO(rendered[kind].content))
    pages = len(reader.pages)
    for page in range(1, pages + 1):
        assert f"第{page}页共{pages}页" in texts[kind]
    for pdf_page in reader.pages:
        assert (round(pdf_page.mediabox.width), round(pdf_page.mediabox.height)) == (595, 842)  # A4 in points
    issued_on = date.fromisoformat(SAMPLES[kind]["issued_on"])
    assert reader.metadata.creation_date.date() == issued_on
    assert reader.metadata.modification_date.date() == issued_on


def test_rendering_the_same_view_again_gives_the_same_bytes(rendered):
    for kind in ("loan_agreement", "loan_receipt"):
        again = render_document(kind, build_view(kind, SAMPLES[kind]))
        assert again.content == rendered[kind].content
        assert again.sha256 == rendered[kind].sha256


def test_another_process_with_another_hash_seed_renders_the_same_bytes(rendered):
    script = (
        "from loanflow.documents import build_view, render_document\n"
        "from loanflow.documents.testing.samples import SAMPLES\n"
        "print(render_document('loan_agreement', build_view('loan_agreement', SAMPLES['loan_agreement'])).sha256)"
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == rendered["loan_agreement"].sha256


def test_the_pdf_identifier_is_derived_from_the_content(rendered):
    trailer = PdfReader(io.BytesIO(rendered["loan_receipt"].content)).trailer
    assert trailer["/ID"][0] == trailer["/ID"][1]
    other = PdfReader(io.BytesIO(rendered["loan_agreement"].content)).trailer
    assert other["/ID"][0] != trailer["/ID"][0]


def test_the_loan_agreement_states_the_parties_the_amount_and_every_clause(texts):
    text = texts["loan_agreement"]
    for expected in [
        "借款合同",
        "合同编号：DZ-XD-2026-000123",
        "中国农业银行丹寨县龙泉支行",
        "贵州省黔东南州丹寨县龙泉镇环城北路18号",
        "杨秀英",
        "522622198503150029",
        "贵州省黔东南州丹寨县排调镇羊先村三组12号",
        "人民币伍万元整",
        "¥50,000.00",
        "养殖（生猪）",
        "借款期限为36个月",
        "年利率为3.50%",
        "等额本金、按季结息",
        "结息日为每季末月20日及到期日",
        "由财政按100%的比例贴息",
        "挪用贷款的，贷款人有权提前收回全部贷款并停止贴息",
        "经贷款人同意可展期一次，展期期限不超过12个月",
        "逾期罚息按合同利率上浮50%（即年利率5.25%）",
        "贷款人（盖章）",
        "借款人（签字并按手印）",
        "本合同出具日期：2026年3月2日",
    ]:
        assert expected in text


def test_the_loan_agreement_takes_the_penalty_markup_from_the_view():
    view = build_view(
        "loan_agreement", {**SAMPLES["loan_agreement"], "penalty_markup": "0.30", "annual_rate": "0.03"}
    )
    assert view.penalty_rate == Decimal("0.0390")
    text = squeeze("\n".join(pdf_lines(render_document("loan_agreement", view).content)))
    assert "逾期罚息按合同利率上浮30%（即年利率3.90%）" in text
    assert "到期一次还本" not in text


def test_the_loan_receipt_shows_the_household_its_whole_account_and_the_loan(texts):
    text = texts["loan_receipt"]
    for expected in [
        "借据编号：DZ-XD-2026-000123-J1",
        "杨秀英",
        "522622198503150029",
        "6228480718812345678",
        "人民币伍万元整",
        "¥50,000.00",
        "2026年3月20日",
        "2029年3月20日",
        "36个月",
        "3.50%",
        "等额本金、按季结息",
    ]:
        assert expected in text


def test_the_loan_receipt_prints_every_line_of_a_36_line_plan_with_its_subsidy_split(lines, rendered):
    printed = [line.split() for line in lines["loan_receipt"]]
    view = build_view("loan_receipt", SAMPLES["loan_receipt"])
    assert len(view.lines) == 36
    money = "{:,}".format
    for line in view.lines:
        row = [
            str(line.seq),
            line.due_on.isoformat(),
            money(line.principal),
            money(line.interest),
            money(line.subsidy),
            money(line.household_share),
            money(line.household_due),
        ]
        assert row in printed, f"schedule line {line.seq} missing"
    totals = view.totals
    assert totals.principal == Decimal("50000.00")
    assert [
        "合计",
        money(totals.principal),
        money(totals.interest),
        money(totals.subsidy),
        money(totals.household_share),
        money(totals.household_due),
    ] in printed


def test_the_schedule_header_is_repeated_on_every_page(rendered, lines):
    pages = len(PdfReader(io.BytesIO(rendered["loan_receipt"].content)).pages)
    assert pages >= 2
    headers = [line for line in lines["loan_receipt"] if squeeze(line).startswith("期次还款日应还本金")]
    assert len(headers) == pages


def test_the_extension_agreement_states_the_old_and_new_terms(texts):
    text = texts["extension_agreement"]
    for expected in [
        "展期协议",
        "原合同编号：DZ-XD-2026-000123",
        "杨秀英",
        "522622198503150029",
        "人民币叁万零伍佰元整",
        "人民币壹仟陆佰捌拾元零叁角贰分",
        "原到期日期2027年3月10日",
        "展期期限6个月",
        "展期后到期日2027年9月10日",
        "展期后年利率3.50%",
        "自2027年3月1日起，未还本金按年利率3.50%计息",
        "展期期间继续享受财政贴息，贴息比例为100%",
        "借款人（签字并按手印）",
    ]:
        assert expected in text


def test_an_extension_without_subsidy_says_so():
    view = build_view("extension_agreement", {**SAMPLES["extension_agreement"], "subsidy_continues": False})
    text = squeeze("\n".join(pdf_lines(render_document("extension_agreement", view).content)))
    assert "展期期间不再享受财政贴息" in text
    assert "继续享受" not in text


def test_the_subsidy_notice_states_the_quantities_and_the_amount(texts):
    text = texts["subsidy_notice"]
    for expected in [
        "产业奖补审批通知",
        "王德明",
        "排调镇羊先村",
        "生猪",
        "申报数量12头",
        "核验数量10头",
        "200.00元/头",
        "人民币贰仟元整",
        "¥2,000.00",
        "批准日期2026年6月18日",
        "丹寨县农业农村局",
    ]:
        assert expected in text


def test_the_publicity_list_shows_names_industries_quantities_and_amounts(texts):
    text = texts["publicity_list"]
    for entry in SAMPLES["publicity_list"]["entries"]:
        assert entry["household_head"] in text
        assert f"{entry['verified_quantity']}{entry['unit']}" in text
    for expected in [
        "排调镇羊先村",
        "2026年6月1日至2026年6月5日",
        "合计（4户）7,150.00",
        "排调镇人民政府产业办",
        "0855-3612345",
    ]:
        assert expected in text


def test_the_publicity_list_never_shows_an_id_number_a_phone_or_an_account(texts):
    text = texts["publicity_list"].replace("0855-3612345", "")
    assert not re.search(r"\d{15,}", text), "an ID or account number is printed"
    assert not re.search(r"1[3-9]\d{9}", text), "a mobile number is printed"
    assert "522622198503150029" not in text


def test_a_publicity_entry_cannot_even_carry_private_fields():
    fields = {field.name for field in dataclasses.fields(PublicityEntry)}
    assert fields == {"household_head", "industry", "verified_quantity", "unit", "amount", "amount_working"}
    entry = {**SAMPLES["publicity_list"]["entries"][0], "id_number": "522622198503150029"}
    with pytest.raises(TypeError, match="id_number"):
        build_view("publicity_list", {**SAMPLES["publicity_list"], "entries": [entry]})


def test_the_household_receipt_says_what_happens_next_by_when_and_whom_to_ask(texts):
    text = texts["household_receipt"]
    for expected in [
        "回执",
        "案件编号：DZ-XD-2026-000123",
        "扶贫小额信贷",
        "户口簿及身份证复印件",
        "村信贷员入户评级，评级后报银行授信",
        "2026年2月27日前（暂定）",
        "排调镇金融服务站，电话：0855-3612000",
        "2026年2月16日",
    ]:
        assert expected in text


def test_a_firm_deadline_is_not_marked_provisional_and_markup_in_data_is_printed_as_text():
    data = {**SAMPLES["household_receipt"], "due_provisional": False, "household_head": "李<b>四</b>"}
    text = squeeze(
        "\n".join(
            pdf_lines(render_document("household_receipt", build_view("household_receipt", data)).content)
        )
    )
    assert "2026年2月27日前" in text
    assert "暂定" not in text
    assert "李<b>四</b>（户主）" in text


def test_a_view_of_the_wrong_kind_is_refused():
    view = build_view("household_receipt", SAMPLES["household_receipt"])
    with pytest.raises(TypeError):
        render_document("loan_agreement", view)
    with pytest.raises(ValueError):
        render_document("birthday_card", view)


def test_money_given_as_a_float_is_refused():
    with pytest.raises(TypeError):
        build_view("subsidy_notice", {**SAMPLES["subsidy_notice"], "amount": 2000.0})


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/font.woff",
        "http://127.0.0.1/logo.png",
        "data:text/css,body{}",
        "file:///etc/passwd",
        (TEMPLATE_DIR / ".." / ".." / "pyproject.toml").as_uri(),
        "file://otherhost" + TEMPLATE_DIR.joinpath("documents.css").as_posix(),
    ],
)
def test_the_renderer_fetches_nothing_but_its_own_template_files(url):
    with pytest.raises(RefusedURL):
        TemplateFilesOnly().fetch(url)


def test_the_renderer_serves_its_stylesheet():
    response = TemplateFilesOnly().fetch(TEMPLATE_DIR.joinpath("documents.css").as_uri())
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


def test_each_kind_has_its_own_template_version():
    versions = {template_version(kind) for kind in SAMPLES}
    assert len(versions) == len(SAMPLES)


def test_a_refused_url_stops_the_rendering():
    html = HTML(string='<img src="https://example.com/tracker.png">', url_fetcher=TemplateFilesOnly())
    with pytest.raises(FatalURLFetchingError):
        html.write_pdf()
