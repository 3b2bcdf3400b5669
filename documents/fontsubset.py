"""Compact the CJK fonts WeasyPrint embeds: a `write_pdf` finisher.

WeasyPrint 66 subsets fonts with HarfBuzz keeping every glyph id (`RETAIN_GIDS`), since its
text is written with the font's glyph ids as CIDs (`Identity-H`, `CIDToGIDMap /Identity`).
For Noto Serif CJK that leaves 63,000 glyph slots in the regular subset for ~250 drawn glyphs
(~185 KB a form) and 39,000 in the bold one (~75 KB), whatever the text.

Noto CJK's CFF is CID-keyed (Adobe-Identity-0, CID n = glyph n). This finisher subsets each
embedded OpenType-CFF font program again with HarfBuzz, without keeping glyph ids, to the CIDs
the PDF uses (the `W` widths of its CIDFonts, and CID 0), and embeds the bare CFF
(`FontFile3 /CIDFontType0C`). HarfBuzz keeps each glyph's CID in the CFF charset, and a
CID-keyed CFF is looked up by CID through its charset (ISO 32000-1 §9.7.4.2), so the text,
the widths and `ToUnicode` (text extraction) stay as they are: only the font program shrinks.

Anything else is left as WeasyPrint wrote it: TrueType and non-CID CFF fonts, a CFF whose
CIDs are not its glyph ids (not Adobe-Identity, CIDs out of glyph order), a result missing a
CID asked for, or a machine without libharfbuzz-subset (system check documents.W001).
"""

from __future__ import annotations

import io
import logging
from functools import lru_cache
from types import SimpleNamespace

import cffi
import pydyf
from fontTools.cffLib import CFFFontSet

logger = logging.getLogger(__name__)

_CDEF = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
typedef uint32_t hb_codepoint_t;
typedef uint32_t hb_tag_t;
hb_blob_t *hb_blob_create(const char *data, unsigned int length, int mode, void *user_data,
                          void *destroy);
void hb_blob_destroy(hb_blob_t *blob);
const char *hb_blob_get_data(hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create(hb_blob_t *blob, unsigned int index);
void hb_face_destroy(hb_face_t *face);
hb_blob_t *hb_face_reference_table(const hb_face_t *face, hb_tag_t tag);
hb_subset_input_t *hb_subset_input_create_or_fail(void);
void hb_subset_input_destroy(hb_subset_input_t *input);
hb_set_t *hb_subset_input_glyph_set(hb_subset_input_t *input);
void hb_set_add(hb_set_t *set, hb_codepoint_t codepoint);
void hb_subset_input_set_flags(hb_subset_input_t *input, unsigned int value);
hb_face_t *hb_subset_or_fail(hb_face_t *source, const hb_subset_input_t *input);
"""
HB_MEMORY_MODE_READONLY = 1
HB_SUBSET_FLAGS_DESUBROUTINIZE = 0x04
HB_SUBSET_FLAGS_NOTDEF_OUTLINE = 0x40
CFF_TAG = int.from_bytes(b"CFF ", "big")


@lru_cache(maxsize=1)
def _harfbuzz():
    """(ffi, libharfbuzz, libharfbuzz-subset), or None when they cannot be loaded."""
    ffi = cffi.FFI()
    ffi.cdef(_CDEF)
    libraries = []
    for names in (("libharfbuzz.so.0", "harfbuzz", "libharfbuzz-0", "libharfbuzz.0.dylib"),
                  ("libharfbuzz-subset.so.0", "harfbuzz-subset", "libharfbuzz-subset-0",
                   "libharfbuzz-subset.0.dylib")):
        for name in names:
            try:
                libraries.append(ffi.dlopen(name))
                break
            except OSError:
                continue
        else:
            return None
    return ffi, *libraries


def subset_cff(font_program: bytes, cids: list[int]) -> bytes | None:
    """The bare CFF of `font_program` (an OpenType-CFF font, CID n = glyph n) holding only the
    glyphs `cids` (with 0), each under its CID; None if that cannot be made."""
    libraries = _harfbuzz()
    if libraries is None:
        return None
    ffi, hb, hbs = libraries
    blob = hb.hb_blob_create(font_program, len(font_program), HB_MEMORY_MODE_READONLY,
                             ffi.NULL, ffi.NULL)
    face = hb.hb_face_create(blob, 0)
    subset_input = hbs.hb_subset_input_create_or_fail()
    subset_face = table = None
    try:
        if subset_input == ffi.NULL:
            return None
        glyphs = hbs.hb_subset_input_glyph_set(subset_input)
        for cid in cids:
            hb.hb_set_add(glyphs, cid)
        hbs.hb_subset_input_set_flags(
            subset_input, HB_SUBSET_FLAGS_DESUBROUTINIZE | HB_SUBSET_FLAGS_NOTDEF_OUTLINE)
        subset_face = hbs.hb_subset_or_fail(face, subset_input)
        if subset_face == ffi.NULL:
            return None
        table = hb.hb_face_reference_table(subset_face, CFF_TAG)
        length = ffi.new("unsigned int *")
        data = hb.hb_blob_get_data(table, length)
        cff = ffi.buffer(data, length[0])[:] if length[0] else b""
    finally:
        if table is not None:
            hb.hb_blob_destroy(table)
        if subset_face not in (None, ffi.NULL):
            hb.hb_face_destroy(subset_face)
        if subset_input != ffi.NULL:
            hbs.hb_subset_input_destroy(subset_input)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)
    return cff if cff and _charset_is(cff, cids) else None


def _charset_is(cff: bytes, cids: list[int]) -> bool:
    """The CFF is CID-keyed (Adobe-Identity), holds a glyph for each of `cids` (HarfBuzz may
    add a few variants it reaches through the cmap, as WeasyPrint's own subset does), and its
    CIDs rise with the glyph order, as they do when CID n was glyph n (HarfBuzz keeps the
    glyphs in their old order): a font whose CIDs are not its glyph ids is left alone."""
    try:
        fonts = CFFFontSet()
        fonts.decompile(io.BytesIO(cff), SimpleNamespace(recalcBBoxes=False))
        top = fonts.topDictIndex[0]
        charset = top.charset
    except Exception:  # a CFF fontTools cannot read: keep WeasyPrint's font
        logger.warning("CFF subset unreadable; the retained-gid font is embedded")
        return False
    if getattr(top, "ROS", (None, None))[1] != "Identity" or charset[0] != ".notdef":
        return False
    numbers = [int(name[3:]) for name in charset[1:] if name.startswith("cid")]
    return len(numbers) == len(charset) - 1 and \
        all(a < b for a, b in zip(numbers, numbers[1:], strict=False)) and \
        set(cids) - {0} <= set(numbers)


def _object(pdf: pydyf.PDF, reference) -> object:
    return pdf.objects[int(bytes(reference).split()[0])]


def _cids(widths: pydyf.Array) -> set[int]:
    """The CIDs of a CIDFont's `W` array ([first, [w w …], first, [w …] …] as WeasyPrint
    writes it)."""
    cids = set()
    for first, run in zip(widths[::2], widths[1::2], strict=True):
        cids.update(range(int(first), int(first) + len(run)))
    return cids


def compact_fonts(document, pdf: pydyf.PDF) -> None:
    """WeasyPrint finisher (`write_pdf(finisher=compact_fonts)`): every embedded CID-keyed
    OpenType-CFF font program becomes a bare CFF of the glyphs used, under the same CIDs."""
    programs: dict[int, tuple[pydyf.Stream, set[int], list]] = {}
    unreadable = set()  # font files one of whose CIDFonts has a `W` we cannot read
    for obj in pdf.objects:
        if not (isinstance(obj, pydyf.Dictionary) and obj.get("Subtype") == "/CIDFontType0"
                and "W" in obj and "FontDescriptor" in obj):
            continue
        descriptor = _object(pdf, obj["FontDescriptor"])
        if "FontFile3" not in descriptor:
            continue
        stream = _object(pdf, descriptor["FontFile3"])
        if not isinstance(stream, pydyf.Stream) or stream.extra.get("Subtype") != "/OpenType":
            continue
        entry = programs.setdefault(stream.number, (stream, {0}, []))
        try:
            entry[1].update(_cids(obj["W"]))
        except (TypeError, ValueError):
            unreadable.add(stream.number)
        entry[2].append((obj, descriptor))
    for stream, cids, users in programs.values():
        if stream.number in unreadable:
            continue
        try:
            cff = subset_cff(b"".join(stream.stream), sorted(cids))
        except Exception:  # never fail a render over its size
            logger.exception("font compaction failed; the retained-gid font is embedded")
            continue
        if cff is None:
            continue
        stream.stream = [cff]
        stream.extra["Subtype"] = "/CIDFontType0C"
        for cid_font, descriptor in users:
            descriptor.pop("Subtype", None)  # WeasyPrint's /OpenType marker
            cid_font.pop("CIDToGIDMap", None)  # a CIDFontType2 entry; CFF maps by charset
