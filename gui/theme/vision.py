"""How colours look, measured: WCAG contrast, colour-blindness simulation and ΔE2000.

No Qt: the colour table's checks (tests/test_theme_contrast.py, tests/test_colour_vision.py)
and the colour-blind screenshot (docs/colorblind_spiral.png) use it.

- ``contrast(fg, bg)``: the WCAG 2.1 contrast ratio of two ``#rrggbb`` / ``#aarrggbb`` colours
  (a translucent foreground is composited over the background first).
- ``simulate(rgb, kind)``: Machado, Oliveira & Fernandes (2009) at severity 1.0, applied in
  linear sRGB and clipped to [0, 1]; ``kind`` is protanopia, deuteranopia or tritanopia.
- ``delta_e(a, b)``: CIEDE2000 between two sRGB colours, in CIELAB under D65.
"""
from __future__ import annotations

import math

import numpy as np

from gui.theme.colors import DIMMER, DISABLED, NEEDS, PAIRS, colours_of

MACHADO = {   # severity 1.0, for linear sRGB (Machado et al. 2009, table of their paper's site)
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
KINDS = tuple(MACHADO)
# linear sRGB → XYZ (D65), and the D65 white point
_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                 [0.2126729, 0.7151522, 0.0721750],
                 [0.0193339, 0.1191920, 0.9503041]])
_WHITE = _XYZ @ np.ones(3)


def channels(colour: str) -> tuple[np.ndarray, float]:
    """``#rrggbb`` or ``#aarrggbb`` (Qt's order) → (sRGB in [0, 1], alpha in [0, 1])."""
    digits = colour.lstrip("#")
    values = [int(digits[i:i + 2], 16) / 255 for i in range(0, len(digits), 2)]
    if len(values) == 4:
        return np.array(values[1:]), values[0]
    return np.array(values), 1.0


def over(colour: str, backdrop: str) -> np.ndarray:
    """``colour`` composited over ``backdrop`` (sRGB in [0, 1], as a painter blends)."""
    fg, a = channels(colour)
    bg, _ = channels(backdrop)
    return fg * a + bg * (1 - a)


def to_linear(srgb) -> np.ndarray:
    c = np.asarray(srgb, dtype=np.float64)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def to_srgb(linear) -> np.ndarray:
    c = np.clip(np.asarray(linear, dtype=np.float64), 0.0, 1.0)
    return np.where(c <= 0.0031308, c * 12.92, 1.055 * c ** (1 / 2.4) - 0.055)


def luminance(srgb) -> float:
    """WCAG relative luminance of an sRGB colour in [0, 1]."""
    return float(np.dot([0.2126, 0.7152, 0.0722], to_linear(srgb)))


def ratio(a, b) -> float:
    """The contrast ratio of two sRGB colours in [0, 1]."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def contrast(fg: str, bg: str) -> float:
    """The WCAG contrast ratio of ``fg`` drawn on ``bg`` (both colour strings)."""
    return ratio(over(fg, bg), channels(bg)[0])


def simulate(srgb, kind: str) -> np.ndarray:
    """sRGB in [0, 1] (… × 3) as seen with ``kind`` (Machado 2009, severity 1.0)."""
    linear = to_linear(srgb)
    return to_srgb(np.clip(linear @ MACHADO[kind].T, 0.0, 1.0))


def lab(srgb) -> np.ndarray:
    """sRGB in [0, 1] → CIELAB (D65)."""
    xyz = _XYZ @ to_linear(srgb) / _WHITE
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def ciede2000(lab1, lab2) -> float:
    """CIEDE2000 colour difference of two CIELAB colours (kL = kC = kH = 1)."""
    l1, a1, b1 = lab1
    l2, a2, b2 = lab2
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar ** 7 / (c_bar ** 7 + 25 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dl, dc = l2 - l1, c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    elif abs(h2p - h1p) <= 180:
        dh = h2p - h1p
    else:
        dh = h2p - h1p - 360 if h2p > h1p else h2p - h1p + 360
    dH = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_bar, cp_bar = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_bar = (h1p + h2p) / 2
    else:
        h_bar = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(h_bar - 30)) + 0.24 * math.cos(math.radians(2 * h_bar))
         + 0.32 * math.cos(math.radians(3 * h_bar + 6))
         - 0.20 * math.cos(math.radians(4 * h_bar - 63)))
    d_theta = 30 * math.exp(-(((h_bar - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(cp_bar ** 7 / (cp_bar ** 7 + 25 ** 7))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / math.sqrt(20 + (l_bar - 50) ** 2)
    s_c = 1 + 0.045 * cp_bar
    s_h = 1 + 0.015 * cp_bar * t
    r_t = -math.sin(math.radians(2 * d_theta)) * r_c
    return math.sqrt((dl / s_l) ** 2 + (dc / s_c) ** 2 + (dH / s_h) ** 2
                     + r_t * (dc / s_c) * (dH / s_h))


def delta_e(a, b, kind: str | None = None) -> float:
    """ΔE2000 between two sRGB colours in [0, 1] (or colour strings), as seen with ``kind``
    (None: normal vision)."""
    a = channels(a)[0] if isinstance(a, str) else np.asarray(a, dtype=np.float64)
    b = channels(b)[0] if isinstance(b, str) else np.asarray(b, dtype=np.float64)
    if kind is not None:
        a, b = simulate(a, kind), simulate(b, kind)
    return ciede2000(lab(a), lab(b))


def simulate_image(rgb: np.ndarray, kind: str) -> np.ndarray:
    """An (H, W, 3) uint8 image as seen with ``kind``."""
    return np.round(simulate(rgb.astype(np.float64) / 255, kind) * 255).astype(np.uint8)


def backdrops(table, role: str) -> list[tuple[str, np.ndarray]]:
    """``(name, sRGB)`` of each colour of background ``role`` (``a/b``: ``a`` over ``b``)."""
    if "/" in role:
        top, below = role.split("/")
        return [(f"{top}/{below}", over(t, b)) for t in colours_of(table, top)
                for b in colours_of(table, below)]
    return [(role, channels(c)[0]) for c in colours_of(table, role)]


def pair_ratios(table, fg: str, bg: str) -> list[tuple[str, str, float]]:
    """Every (foreground colour, background name, contrast ratio) of a declared pair."""
    out = []
    for name, backdrop in backdrops(table, bg):
        for colour in colours_of(table, fg):
            fg_rgb, a = channels(colour)
            out.append((colour, name, ratio(fg_rgb * a + backdrop * (1 - a), backdrop)))
    return out


def failures(table) -> list[str]:
    """Every declared pair of ``table`` below its need, as a sentence (empty: all pass)."""
    found = []
    for fg, bg, kind in PAIRS:
        for colour, name, r in pair_ratios(table, fg, bg):
            if r < NEEDS[kind] - 1e-9:
                found.append(f"{table.name}: {fg} {colour} on {name}: {r:.2f}:1 < "
                             f"{NEEDS[kind]}:1 ({kind})")
            if kind == DISABLED:
                enabled = pair_ratios(table, "text", bg)[0][2]
                if r > DIMMER * enabled:
                    found.append(f"{table.name}: {fg} on {name}: {r:.2f}:1 is not clearly "
                                 f"dimmer than text's {enabled:.2f}:1")
    return found
