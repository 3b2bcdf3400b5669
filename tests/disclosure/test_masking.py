"""Automatic masking (SX 第三十八条; NT 三(十二)): each kind of a natural person's data, from the
party records and from the obvious patterns, in the text and in the PDF read back with pypdf;
organisations' names stay; the officer masks more, never less."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from disclosure import masking, services
from disclosure.models import Publication
from documents.rendering import html_to_pdf
from tests.parties.factories import make_credit_code, make_id_number

from .conftest import (
    AGREEMENT_TEXT,
    COMPANY,
    PERSON_ADDRESS,
    PERSON_ID,
    PERSON_NAME,
    PERSON_PHONE,
    REPRESENTATIVE,
)

pytestmark = pytest.mark.django_db

ORIGINALS = [PERSON_NAME, PERSON_ID, PERSON_ADDRESS, PERSON_PHONE, REPRESENTATIVE, "李文博",
             "0351-4128765", "6222 0212 3456 7890 123"]


def prepared(case, d, text=AGREEMENT_TEXT, title="赔偿协议（张三丰等）") -> Publication:
    return services.prepare(case, by=d.officer, kind=Publication.Kind.AGREEMENT, title=title,
                            original_text=text, year=2026)


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_each_kind_of_personal_data_is_masked_in_the_text(case, d):
    publication = prepared(case, d)
    text = publication.masked_text
    for original in ORIGINALS:
        assert original not in text, original
    assert "赔偿义务人二：张某，男" in text  # a party's name (the person's party record)
    assert "法定代表人欧阳某" in text  # a legal representative, compound surname kept
    assert "委托代理人：李某" in text  # a name in an obvious place, no record needed
    assert "公民身份号码" + "×" * 18 in text
    assert "住（住址略）" in text  # the home address of the party record
    assert "联系电话" + "×" * 11 in text and "0351" not in text
    assert "收款账号：" + "×" * 19 in text
    # organisations' names stay
    assert COMPANY in text and "太原市生态环境局" in text
    assert publication.masked_title == "赔偿协议（张某等）"


@pytest.mark.parametrize(("original", "kind"), [
    ("身份证号" + make_id_number(born="19911231", seq="004"), "id_number"),
    ("手机 +86 139-3456-1234", "phone"),
    ("电话（0351）4128765", "phone"),
    ("电话 010-61234567-802", "phone"),
    ("银行卡号6217001234567890", "account"),
    ("开户账户 6222021234567890123456", "account"),
    ("联系人：王小明，", "name"),
    ("被告人赵四等", "name"),
])
def test_patterns_without_a_record(original, kind):
    masked = masking.mask(original)
    assert masked.kinds() == {kind}, masked.hits
    assert masked.hits[0].original in original and masked.hits[0].original not in masked.text


@pytest.mark.parametrize("kept", [
    "统一社会信用代码" + make_credit_code("30012345"),
    "原告太原市生态环境局，负责人张某。",
    "法定代表人由公司指定。",
    "2026年11月2日，协议编号晋环赔〔2026〕12号，金额1230000.00元。",
    "太原市生态环境局与山西晋禾化工有限公司",
])
def test_what_is_not_a_natural_persons_data_stays(kept):
    assert masking.mask(kept).text == kept


def test_a_name_in_a_party_record_is_masked_wherever_it_appears(case, d):
    publication = prepared(case, d, text="经查，张三丰多次夜间偷排。张三丰承认事实。")
    assert publication.masked_text == "经查，张某多次夜间偷排。张某承认事实。"


def test_the_officer_masks_more_and_never_less(case, d):
    publication = prepared(case, d, text="现场由村民代表刘大山、护林员赵小川见证，车牌晋A12345。")
    services.add_masks(publication, ["晋A12345", "赵小川"], by=d.officer)
    publication.refresh_from_db()
    assert "晋A12345" not in publication.masked_text and "赵小川" not in publication.masked_text
    assert publication.masked_text.count(masking.EXTRA_MASK) == 2
    with pytest.raises(services.DisclosureError, match="已隐去的内容不能恢复公开：赵小川"):
        services.update_draft(publication, by=d.officer, extra_masks="晋A12345")
    publication.refresh_from_db()
    assert "赵小川" not in publication.masked_text


def test_a_party_recorded_later_is_masked_before_submission(case, d):
    from cases.models import CaseObligor
    from tests.parties.factories import PersonFactory

    publication = prepared(case, d, text="另查明，孙晓东参与倾倒。")
    assert "孙晓东" in publication.masked_text
    CaseObligor.objects.create(case=case, party=PersonFactory(name="孙晓东"))
    assert not services.masked_now(publication)
    services.submit(publication, by=d.officer, summary="请审批公开")
    publication.refresh_from_db()
    assert publication.masked_text == "另查明，孙某参与倾倒。"
    assert publication.state == Publication.State.PENDING


def uploaded_pdf(text: str, name="张三丰赔偿协议.pdf") -> SimpleUploadedFile:
    """An uploaded description of the case: a PDF with the personal data in its text."""
    html = "<html><body>" + "".join(f"<p>{line}</p>" for line in text.split("\n")) + \
        "</body></html>"
    return SimpleUploadedFile(name, html_to_pdf(html), content_type="application/pdf")


def test_an_uploaded_pdf_is_masked_and_the_published_pdf_is_printed_from_the_masked_text(
        case, d):
    publication = prepared(case, d, text="协议摘要见附件。")
    source = services.add_source_pdf(publication, uploaded_pdf(AGREEMENT_TEXT), by=d.officer)
    assert PERSON_NAME in source.extracted_text.replace(" ", "")
    services.submit(publication, by=d.officer, summary="请审批公开")
    publication.refresh_from_db()
    published = pdf_text(publication.public_pdf.read()).replace(" ", "").replace("\n", "")
    for original in ORIGINALS:
        assert original.replace(" ", "") not in published, original
    assert "张某" in published and "欧阳某" in published and COMPANY in published
    assert "附件1：张某赔偿协议" in published  # the file's name is masked too
    # the upload itself stays private: the public PDF is a new file
    assert publication.public_pdf.name != source.attachment.file.name


