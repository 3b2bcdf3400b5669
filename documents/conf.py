"""The document settings, readable without importing WeasyPrint (the system check runs in
every management command)."""

from django.conf import settings

DEFAULT_FONT_FAMILY = "Noto Serif CJK SC"  # Debian's fonts-noto-cjk


def font_family() -> str:
    """ECOCLAIM_DOCUMENT_FONT_FAMILY, a family name only: no quotes or CSS syntax get through."""
    family = getattr(settings, "ECOCLAIM_DOCUMENT_FONT_FAMILY", "") or DEFAULT_FONT_FAMILY
    return "".join(ch for ch in family if ch not in "\"'\\;{}<>\n\r").strip()
