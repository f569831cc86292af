"""The pictures of docs/ that show the look (issue 20), taken on a real X server:

    xvfb-run -s "-screen 0 1440x900x24" .venv/bin/python docs/look_shots.py docs \
        theme_light text_200 colorblind_spiral
    xvfb-run -s "-screen 0 1280x720x24" .venv/bin/python docs/look_shots.py docs presentation

writes theme_light.png (the light theme, a trained XOR), text_200.png (200 % text at
1440×900), presentation_1280x720.png (presentation mode on a 1280×720 screen, the player on a
backward step) and colorblind_spiral.png (the spiral's decision boundary as seen with normal
vision, protanopia, deuteranopia and tritanopia: Machado 2009, gui/theme/vision.py).
Saved settings are not read: each picture starts from the defaults."""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QRect, QSettings, Qt  # noqa: E402
from PySide6.QtGui import QColor, QImage, QPainter  # noqa: E402

from gui import theme  # noqa: E402
from gui.theme import colors, vision  # noqa: E402
from gui.window.application import make_application  # noqa: E402

EXAMPLES = ROOT / "resources" / "examples"


def settle(app, rounds: int = 30) -> None:
    for _ in range(rounds):
        app.processEvents()
        time.sleep(0.01)


def new_window(app, width: int, height: int):
    from gui.window.main_window import MainWindow
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    window.resize(width, height)
    window.show()
    settle(app)
    return window


def train(app, window, name: str, steps: int) -> None:
    assert window.open_file(EXAMPLES / f"{name}.json", ask=False)
    window.model.run_now()
    window.training_dock.show()
    window.training_dock.raise_()
    panel = window.training
    panel.start(steps)
    while panel.running:
        app.processEvents()
        time.sleep(0.01)
    settle(app)


def done(window) -> None:
    window.model.mark_saved()
    window.close()


def theme_light(app, out: Path) -> None:
    theme.apply_look(app, "light", 100)
    window = new_window(app, 1400, 900)
    train(app, window, "xor_mlp", 300)
    window.canvas.select_nodes(["W1"])
    window.canvas.fit_view()
    settle(app)
    window.grab().save(str(out / "theme_light.png"))
    done(window)


def text_200(app, out: Path) -> None:
    theme.apply_look(app, "dark", 200)
    window = new_window(app, 1440, 900)
    train(app, window, "xor_mlp", 300)
    canvas = window.canvas
    canvas.select_nodes(["xW1"])
    canvas.actual_size()                       # Ctrl+0: the canvas at the text size
    first = canvas.graph_scene.nodes["W1"].sceneBoundingRect()
    lowest = canvas.graph_scene.nodes["x"].sceneBoundingRect()
    legend = canvas.legend.width() + 40 if canvas.legend.isVisible() else 20
    scale = canvas.transform().m11()           # the graph's left column just right of the legend
    canvas.centerOn(first.left() + (canvas.viewport().width() / 2 - legend) / scale,
                    (first.top() + lowest.bottom()) / 2)
    settle(app)
    window.grab().save(str(out / "text_200.png"))
    done(window)
    theme.apply_look(app, "dark", 100)


def presentation(app, out: Path) -> None:
    theme.apply_look(app, "light", 100)
    window = new_window(app, 1100, 650)
    train(app, window, "xor_mlp", 300)
    window.look_menu.present.trigger()
    settle(app, 20)
    window.setGeometry(window.screen().geometry())   # a bare X server has no window manager
    settle(app, 60)                                  # to make it full screen
    window.player.enter(16)
    settle(app, 40)
    window.grab().save(str(out / "presentation_1280x720.png"))
    window.presentation.leave()
    done(window)


def colorblind_spiral(app, out: Path) -> None:
    theme.apply_look(app, "light", 100)
    window = new_window(app, 1600, 1200)
    train(app, window, "spiral_classifier", 3000)
    panel = window.training
    plot = panel.boundary_plot
    grid = panel.plot_grid
    if plot not in grid.shown():
        grid.tabs.setCurrentIndex(next(i for i, page in enumerate(grid.pages()) if plot in page))
        settle(app)
    rgb = _rgb(plot.grab().toImage())
    h, w, _ = rgb.shape
    table = colors.active()
    caption = 30
    sheet = QImage(2 * w + 30, 2 * (h + caption) + 20, QImage.Format.Format_RGB888)
    sheet.fill(QColor(table.window))
    painter = QPainter(sheet)
    font = theme.ui_font(12, bold=True)
    painter.setFont(font)
    painter.setPen(QColor(table.text))
    views = [("normal vision", None), ("protanopia", "protanopia"),
             ("deuteranopia", "deuteranopia"), ("tritanopia", "tritanopia")]
    for i, (title, kind) in enumerate(views):
        seen = rgb if kind is None else vision.simulate_image(rgb, kind)
        seen = np.ascontiguousarray(seen)
        image = QImage(seen.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
        x, y = 10 + (i % 2) * (w + 10), 10 + (i // 2) * (h + caption)
        painter.drawText(QRect(x, y, w, caption), Qt.AlignmentFlag.AlignLeft
                         | Qt.AlignmentFlag.AlignVCenter, title)
        painter.drawImage(x, y + caption, image)
    painter.end()
    sheet.save(str(out / "colorblind_spiral.png"))
    done(window)


def _rgb(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    stride = image.bytesPerLine()
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * image.height())
    return data.reshape(image.height(), stride)[:, :3 * image.width()].reshape(
        image.height(), image.width(), 3).copy()


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "docs")
    out.mkdir(parents=True, exist_ok=True)
    app = make_application(["look_shots"], "dark", 100)
    shots = {f.__name__: f for f in (theme_light, text_200, presentation, colorblind_spiral)}
    for name in argv[1:] or shots:
        shots[name](app, out)
        print(f"wrote {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
