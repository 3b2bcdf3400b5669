"""The system checks warn when rendering would be slow (no HarfBuzz subsetter) or set in the
wrong font (the configured family unknown to fontconfig)."""

import ctypes

from django.test import override_settings

from documents import checks


def ids():
    return {w.id for w in checks.check_rendering()}


def test_this_machine_has_both():
    # the Makefile installs libharfbuzz-subset0 and fonts-noto-cjk
    assert ids() == set()


def test_missing_harfbuzz_subset_warns(monkeypatch):
    def refuse(name, *args, **kwargs):
        raise OSError(f"{name}: cannot open shared object file")

    monkeypatch.setattr(checks.ctypes.util, "find_library", lambda name: None)
    monkeypatch.setattr(checks.ctypes, "CDLL", refuse)
    warnings = checks.check_rendering()
    assert [w.id for w in warnings] == ["documents.W001"]
    assert "libharfbuzz-subset" in warnings[0].msg and "libharfbuzz-subset0" in warnings[0].hint
    assert ctypes.CDLL is refuse


@override_settings(ECOCLAIM_DOCUMENT_FONT_FAMILY="No Such Font 无此字体")
def test_unknown_font_family_warns():
    assert ids() == {"documents.W002"}


def test_no_fc_list_warns(monkeypatch):
    monkeypatch.setattr(checks.shutil, "which", lambda name: None)
    assert ids() == {"documents.W003"}
