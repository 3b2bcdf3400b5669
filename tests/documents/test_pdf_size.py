"""Document size (issue 14, point 6): every form is at most 150 KB, its fonts embedded as
subsets of the glyphs used, its text still extractable; the compacted fonts draw the same
glyphs as WeasyPrint's own output (outlines compared per CID, pages compared pixel-wise when
poppler's pdftoppm is installed). Speed is measured by bench/documents_render.py, not here."""

import datetime
import io
import re
import shutil
import subprocess
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from fontTools.cffLib import CFFFontSet
from fontTools.pens.recordingPen import RecordingPen
from fontTools.ttLib import TTFont
from PIL import Image, ImageChops

from documents import fontsubset, registry
from documents.rendering import html_to_pdf, render_pdf
from documents.services import build_data
from tests.negotiation.factories import desk

from .factories import demo_case
from .pdf import font_programs, reader, text_of
from .test_negotiation_forms import agreed, enforced

pytestmark = pytest.mark.django_db

LIMIT = 150 * 1024


@pytest.fixture
def november():
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=datetime.UTC),
                             tick=False):
        yield


@pytest.fixture
def claim(demo_org):
    """Forms [1]–[3]: a terminated case with three obligors and both approvals of each."""
    return demo_case(demo_org, appraised_amount=Decimal("1186500.00"),
                     fees_amount=Decimal("86000.00"))


@pytest.fixture
def enforced_case(november):
    """Forms [4]–[7]: a signed, confirmed and enforced agreement with three obligors."""
    d = desk("SX")
    agreement = agreed(d, person=True)
    enforced(d, agreement)
    agreement.case.refresh_from_db()
    return agreement.case


def render(code, case, *, compact=True):
    form = registry.get(code)
    obligor = case.obligor_links.order_by("id").first().party if form.per_obligor else None
    return render_pdf(form.template, build_data(form, case, obligor), compact=compact)


def cff_glyphs(program: dict) -> dict[str, object]:
    """{glyph name: charstring} of a font file: a bare CFF or an OpenType-CFF font."""
    if program["subtype"] == "/CIDFontType0C":
        fonts = CFFFontSet()
        fonts.decompile(io.BytesIO(program["data"]), SimpleNamespace(recalcBBoxes=False))
        return fonts.topDictIndex[0].CharStrings
    return TTFont(io.BytesIO(program["data"]))["CFF "].cff.topDictIndex[0].CharStrings


def outline(charstring) -> list:
    pen = RecordingPen()
    charstring.draw(pen)
    return pen.value


def test_every_form_is_at_most_150_kb_with_subset_fonts_and_its_text(claim, enforced_case):
    rendered = {code: render(code, claim) for code in "123"}
    rendered |= {code: render(code, enforced_case) for code in "4567"}
    assert len(rendered) == len(registry.all_forms()) == 7
    for code, document in rendered.items():
        assert len(document) <= LIMIT, (code, len(document))
        assert registry.get(code).title in text_of(document), code  # ToUnicode intact
        programs = font_programs(document)
        assert {p["base_font"].split("+")[1] for p in programs} >= {"Noto-Serif-CJK-SC"}
        for program in programs:
            assert re.fullmatch(r"/[A-Z]{6}\+.+", program["base_font"])  # a subset's tag
            # the bare CFF of the glyphs drawn, looked up by CID: no retained glyph slots
            assert program["file"] == "/FontFile3" and program["subtype"] == "/CIDFontType0C"
            glyphs = cff_glyphs(program)
            assert {f"cid{cid:05d}" for cid in program["cids"] if cid} <= set(glyphs.keys())
            assert len(glyphs) <= len(program["cids"]) + 16, (code, len(glyphs))


def test_the_compacted_fonts_draw_the_same_glyphs_and_give_the_same_text(enforced_case):
    """Form [5] (five pages, both faces): WeasyPrint's own output against the compacted one.
    The pages' content streams and each font's widths are untouched; every CID drawn has the
    same outline in both font programs; the text reads the same."""
    original, compacted = render("5", enforced_case, compact=False), render("5", enforced_case)
    assert len(compacted) < len(original) / 3
    assert text_of(compacted) == text_of(original)
    for before, after in zip(reader(original).pages, reader(compacted).pages, strict=True):
        assert before.get_contents().get_data() == after.get_contents().get_data()
    before = {p["base_font"]: p for p in font_programs(original)}
    after = {p["base_font"]: p for p in font_programs(compacted)}
    assert before.keys() == after.keys() and len(after) == 2  # regular and bold
    for name, program in after.items():
        assert before[name]["subtype"] == "/OpenType"  # WeasyPrint's retained-gid subset
        assert program["cids"] == before[name]["cids"]
        old, new = cff_glyphs(before[name]), cff_glyphs(program)
        assert len(old) > 30_000 and len(new) < 400
        for cid in sorted(program["cids"]):
            glyph = f"cid{cid:05d}" if cid else ".notdef"
            assert outline(new[glyph]) == outline(old[glyph]), (name, glyph)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pages_render_pixel_identical(claim, tmp_path):
    # Form [1], two pages, through poppler at 72 dpi (the bench compares every form at 150).
    pages = {}
    for compact in (False, True):
        path = tmp_path / f"form_1_{compact}.pdf"
        path.write_bytes(render("1", claim, compact=compact))
        subprocess.run(["pdftoppm", "-r", "72", "-png", str(path), str(path.with_suffix(""))],
                       check=True, timeout=60)
        pages[compact] = sorted(tmp_path.glob(f"form_1_{compact}-*.png"))
    assert len(pages[True]) == len(pages[False]) == 2
    for before, after in zip(pages[False], pages[True], strict=True):
        difference = ImageChops.difference(Image.open(before).convert("RGB"),
                                           Image.open(after).convert("RGB"))
        assert difference.getbbox() is None, (before.name, difference.getbbox())


def test_without_libharfbuzz_subset_the_fonts_stay_as_weasyprint_wrote_them(monkeypatch):
    monkeypatch.setattr(fontsubset, "_harfbuzz", lambda: None)
    document = html_to_pdf("<h1>生态环境损害赔偿协议</h1><p>甲方：太原市生态环境局</p>")
    assert "生态环境损害赔偿协议甲方：太原市生态环境局" in text_of(document)
    assert {p["subtype"] for p in font_programs(document)} == {"/OpenType"}


def test_a_failing_compaction_leaves_the_font_and_the_render_whole(monkeypatch, caplog):
    def broken(*args):
        raise RuntimeError("HarfBuzz exploded")

    monkeypatch.setattr(fontsubset, "subset_cff", broken)
    document = html_to_pdf("<h1>生态环境损害赔偿协议</h1>")
    assert "生态环境损害赔偿协议" in text_of(document)
    assert {p["subtype"] for p in font_programs(document)} == {"/OpenType"}
    assert "font compaction failed" in caplog.text


def test_only_a_cff_whose_cids_are_its_glyph_ids_is_compacted():
    program = font_programs(html_to_pdf("<p>生态环境损害</p>"))[0]
    cff, cids = program["data"], sorted(program["cids"] | {0})
    assert fontsubset._charset_is(cff, cids)
    assert not fontsubset._charset_is(cff, [*cids, 60000])  # a CID the font lacks
    fonts = CFFFontSet()
    fonts.decompile(io.BytesIO(cff), SimpleNamespace(recalcBBoxes=False))
    top = fonts.topDictIndex[0]
    top.charset = [top.charset[0], *reversed(top.charset[1:])]  # CIDs against glyph order
    shuffled = io.BytesIO()
    fonts.compile(shuffled, SimpleNamespace(recalcBBoxes=False))
    assert not fontsubset._charset_is(shuffled.getvalue(), cids)
