"""System checks of what rendering needs from the machine (the Makefile installs both:
libharfbuzz-subset0 and fonts-noto-cjk)."""

from __future__ import annotations

import ctypes
import ctypes.util
import shutil
import subprocess

from django.core.checks import Warning

from .conf import font_family

HARFBUZZ_SUBSET = "libharfbuzz-subset.so.0"


def harfbuzz_subset_available() -> bool:
    """WeasyPrint subsets embedded fonts with HarfBuzz when it can load this library, and falls
    back to fontTools otherwise (a three-page Chinese document: about 8 s instead of 0.2 s).
    documents/fontsubset.py compacts the fonts with it too (without it a form is 4–5 times
    larger: 255–360 KB instead of 45–85 KB)."""
    for name in (ctypes.util.find_library("harfbuzz-subset"), HARFBUZZ_SUBSET):
        if not name:
            continue
        try:
            ctypes.CDLL(name)
        except OSError:
            continue
        return True
    return False


def installed_font_families() -> set[str] | None:
    """Every family name fontconfig knows (`fc-list : family`), or None without fc-list."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        listing = subprocess.run([fc_list, ":", "family"], capture_output=True, text=True,
                                 timeout=20, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {name.strip() for line in listing.splitlines() for name in line.split(",")
            if name.strip()}


def check_rendering(app_configs=None, **kwargs):
    problems = []
    if not harfbuzz_subset_available():
        problems.append(Warning(
            "无法加载 libharfbuzz-subset.so.0：WeasyPrint 将改用 fontTools 子集化字体，"
            "生成中文文书会慢数十倍，且嵌入字体无法精简（文书文件大四至五倍）。",
            hint="安装 Debian 软件包 libharfbuzz-subset0（make install 会安装）。",
            id="documents.W001"))
    family = font_family()
    families = installed_font_families()
    if families is None:
        problems.append(Warning(
            f"无法运行 fc-list，未能确认文书字体“{family}”已安装。",
            hint="安装 fontconfig 及 fonts-noto-cjk。", id="documents.W003"))
    elif family not in families:
        problems.append(Warning(
            f"fontconfig 中找不到文书字体“{family}”（ECOCLAIM_DOCUMENT_FONT_FAMILY）："
            "文书将以其他字体排版，中文可能缺字。",
            hint="安装 Debian 软件包 fonts-noto-cjk，或把 ECOCLAIM_DOCUMENT_FONT_FAMILY "
                 "设为 fc-list 列出的字体。",
            id="documents.W002"))
    return problems
