"""Reading rendered PDFs back with pypdf."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

A4 = (595.28, 841.89)  # points


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def text_of(pdf: bytes) -> str:
    """The text of every page without any white space (a value that wraps in its table cell
    reads whole; "编　号" reads "编号")."""
    pages = [page.extract_text() or "" for page in reader(pdf).pages]
    return re.sub(r"\s+", "", "".join(pages))


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader(pdf).pages]


def fonts(pdf: bytes) -> dict[str, bool]:
    """{BaseFont: embedded?} of every font used on any page (a Type0 font through its
    descendant's descriptor)."""
    found = {}
    for page in reader(pdf).pages:
        resources = page.get("/Resources")
        font_dict = resources.get_object().get("/Font") if resources else None
        for ref in (font_dict or {}).values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            found[str(font.get("/BaseFont"))] = any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


def font_programs(pdf: bytes) -> list[dict]:
    """Every embedded CIDFont of every page, once: BaseFont, the font file's key and
    Subtype, its bytes, and the CIDs its widths (`W`) list."""
    found = {}
    for page in reader(pdf).pages:
        for ref in page["/Resources"].get_object().get("/Font", {}).values():
            font = ref.get_object()
            if "/DescendantFonts" not in font:
                continue
            cid_font = font["/DescendantFonts"][0].get_object()
            descriptor = cid_font["/FontDescriptor"].get_object()
            key = next(k for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in descriptor)
            stream = descriptor[key].get_object()
            widths, cids = list(cid_font.get("/W", [])), set()
            for first, run in zip(widths[::2], widths[1::2], strict=True):
                cids.update(range(int(first), int(first) + len(run)))
            found[str(font["/BaseFont"])] = {
                "base_font": str(font["/BaseFont"]), "file": key,
                "subtype": str(stream.get("/Subtype")), "data": stream.get_data(),
                "cids": cids, "cid_to_gid": cid_font.get("/CIDToGIDMap")}
    return list(found.values())
