"""Contrast of every colour table (gui/theme/colors.py), computed: each declared foreground/
background pair (``colors.PAIRS``) meets WCAG 2.1 — 4.5:1 for text, 3:1 for large text,
borders, focus rings and graphics, 2.5:1 and clearly dimmer for disabled controls — and every
role is on a pair or exempt with a reason, so the check is exhaustive. The audited failures of
issue 20 are pinned by name. The measure itself is checked against WCAG's own numbers."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from gui.theme import colors, heatmap, vision

TABLES = list(colors.THEMES.values())


def ratio(table, fg, bg) -> float:
    return min(r for _, _, r in vision.pair_ratios(table, fg, bg))


def test_the_measure_is_wcags():
    assert vision.contrast("#ffffff", "#000000") == pytest.approx(21.0)
    assert vision.contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)   # WCAG's
    assert vision.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)   # example
    # a translucent colour is measured as drawn: composited over what is under it
    assert vision.contrast("#80000000", "#ffffff") == pytest.approx(
        vision.contrast("#7f7f7f", "#ffffff"), abs=0.02)


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_every_declared_pair_passes(table):
    assert vision.failures(table) == []


def test_every_role_is_on_a_pair_or_exempt_with_a_reason():
    on_pairs = {role for fg, bg, _ in colors.PAIRS for role in [fg, *bg.split("/")]}
    roles = set(colors.role_names())
    assert on_pairs <= roles                                   # no pair names a missing role
    assert roles - on_pairs == set(colors.EXEMPT)              # the rest is exempt, and only it
    assert all(len(reason) > 20 for reason in colors.EXEMPT.values())


def test_the_check_finds_a_failing_pair():
    """A table with muted text as dark as its panel, or a disabled text as bright as the
    enabled one, is caught — the check can fail."""
    dim = dataclasses.replace(colors.DARK, muted="#3a3e48")
    assert any("muted #3a3e48 on panel" in f for f in vision.failures(dim))
    bright_off = dataclasses.replace(colors.LIGHT, disabled=colors.LIGHT.text)
    assert any("not clearly dimmer" in f for f in vision.failures(bright_off))
    grey_pen = dataclasses.replace(colors.LIGHT, plot_pens=("#b0b0b0",) + colors.LIGHT.plot_pens[1:])
    assert any("plot_pens #b0b0b0 on base" in f for f in vision.failures(grey_pen))


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_the_audited_failures_are_fixed(table):
    """Issue 20's audit: node header ids on category colours (2.5–4.4:1), plot axis titles
    (1.57:1), palette badges (3.0–4.3:1), borders of inputs and buttons (1.2–1.6:1), node
    bodies against the canvas (1.22:1: a 3:1 border draws the body's edge)."""
    for category in table.categories.values():
        assert vision.contrast(table.node_header_text, category) >= 4.5
        assert vision.contrast(table.badge_text, category) >= 4.5
    assert vision.contrast(table.node_header_text, table.parameter) >= 4.5
    assert min(vision.contrast(table.muted, bg) for bg in (table.base, table.panel)) >= 4.5
    assert min(vision.contrast(table.border, bg) for bg in (table.window, table.panel,
                                                            table.base)) >= 3.0
    assert vision.contrast(table.node_border, table.canvas) >= 3.0
    assert vision.contrast(table.icon, table.raised) >= 3.0         # the spin boxes' arrows
    assert vision.contrast(table.focus, table.canvas) >= 3.0


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_disabled_is_readable_and_clearly_dimmer(table):
    for bg in ("window", "panel", "base", "raised"):
        off, on = ratio(table, "disabled", bg), ratio(table, "text", bg)
        assert 2.5 <= off <= colors.DIMMER * on, (bg, off, on)


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_a_heatmap_cells_number_is_readable_on_every_colour_of_the_map(table):
    lut = heatmap.make_lut(table)
    worst = min(vision.ratio(vision.channels(heatmap.cell_text(cell, table))[0], cell / 255)
                for cell in lut.astype(np.float64))
    assert worst >= 4.5
