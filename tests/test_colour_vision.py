"""Colours that survive colour blindness (issue 20): protanopia, deuteranopia and tritanopia
simulated with Machado, Oliveira & Fernandes (2009) at severity 1.0 in linear sRGB, clipped;
differences in CIEDE2000 (CIELAB, D65). In both themes: + and − at least 20 apart, the first
four class colours at least 12 apart pairwise, each class colour at least 3:1 on the plot's
background; + and − also differ in brightness (a greyscale projector keeps the sign). The
measures are checked against published numbers first."""
from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from gui.theme import colors, vision

TABLES = list(colors.THEMES.values())
VISIONS = (None, *vision.KINDS)

# Sharma, Wu & Dalal (2005), "The CIEDE2000 colour-difference formula": test pairs 1, 7, 17,
# 25 and 34 (Lab₁, Lab₂, ΔE00)
SHARMA = [((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
          ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
          ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
          ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
          ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373)]


@pytest.mark.parametrize("lab1, lab2, expected", SHARMA)
def test_ciede2000_matches_the_published_pairs(lab1, lab2, expected):
    assert vision.ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)
    assert vision.ciede2000(lab2, lab1) == pytest.approx(expected, abs=1e-4)


def test_cielab_and_the_simulation_are_the_standard_ones():
    assert vision.lab(np.ones(3)) == pytest.approx([100.0, 0.0, 0.0], abs=1e-3)   # D65 white
    assert vision.lab(np.array([1.0, 0.0, 0.0])) == pytest.approx([53.24, 80.09, 67.20], abs=0.02)
    for kind in vision.KINDS:
        # the Machado matrices keep greys grey; a dichromat cannot tell red from green
        assert vision.simulate(np.full(3, 0.5), kind) == pytest.approx(np.full(3, 0.5), abs=1e-3)
    red, green = np.array([0.8, 0.2, 0.1]), np.array([0.35, 0.5, 0.1])
    assert vision.delta_e(red, green) > 40
    assert vision.delta_e(red, green, "deuteranopia") < 15
    # clipped: a saturated colour stays inside sRGB
    assert np.all((0 <= vision.simulate(np.array([0.0, 0.0, 1.0]), "tritanopia")) &
                  (vision.simulate(np.array([0.0, 0.0, 1.0]), "tritanopia") <= 1))


def worst(pairs, kind):
    return min(vision.delta_e(a, b, kind) for a, b in pairs)


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
@pytest.mark.parametrize("kind", VISIONS, ids=lambda k: k or "normal")
def test_plus_and_minus_stay_apart(table, kind):
    assert vision.delta_e(table.positive, table.negative, kind) >= 20


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
@pytest.mark.parametrize("kind", VISIONS, ids=lambda k: k or "normal")
def test_the_first_four_classes_stay_apart(table, kind):
    assert worst(combinations(table.classes[:4], 2), kind) >= 12


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_classes_and_signs_read_on_their_backgrounds(table):
    for colour in table.classes[:4]:
        assert vision.contrast(colour, table.base) >= 3.0          # the plot's background
    # brightness, not only hue, tells + from − (a washed-out or greyscale projector)
    assert vision.contrast(table.positive, table.negative) >= 2.0
    for sign in (table.positive, table.negative):
        assert vision.contrast(sign, table.canvas) >= 3.0


def test_the_old_class_colours_fail_the_same_check():
    """The class colours before issue 20 collapse as the audit measured (class 0 against
    class 3 at 2.1 under protanopia, orange against green near 10): the check can fail."""
    old = ("#468cff", "#ff9632", "#5ac878", "#be82f5")
    assert vision.delta_e(old[0], old[3], "protanopia") == pytest.approx(2.1, abs=0.05)
    assert vision.delta_e(old[1], old[2], "protanopia") < 12
    assert worst(combinations(old, 2), "deuteranopia") < 12
