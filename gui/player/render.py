"""Rendered animations: one picture per player step, as the app shows it, and a GIF.

``FrameRenderer(model, size, granularity)`` puts a CanvasView of exactly ``size`` pixels (never
shown on screen) over ``model`` and a PlayerController over its scene, so a frame is what the
app's canvas shows at that step: the same items, the caption "step k/N · phase" with the step's
one line, the edge legend. ``render_animation`` writes ``frame_0000.png`` … (old frames removed
first) and, when asked, a GIF with one frame per step; ``python main.py render`` and
File ▸ Export animation… both call it. PNGs are written on worker threads while the next frame
is painted (gui/player/png.py: no row filter, zlib level 1).
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QUndoStack

from gui.canvas import CanvasView
from gui.player.controller import PlayerController
from gui.player.png import rgb_rows, write_png

DEFAULT_SIZE = (1280, 800)
GIF_MS_PER_FRAME = 900
CAPTION_ROOM, LEGEND_ROOM = 78, 104    # screen pixels the overlays take at the top / bottom
FIT_MAX_SCALE = 1.2


class RenderError(Exception):
    """Nothing to render (no pass to replay) or a file that cannot be written: one sentence."""


class FrameRenderer:
    def __init__(self, model, size=DEFAULT_SIZE, granularity: str = "edge"):
        self.model = model
        self.size = (int(size[0]), int(size[1]))
        self.stack = QUndoStack()
        self.view = CanvasView(model, self.stack)
        self.view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        self.view.resize(*self.size)
        self.view.show()
        self.player = PlayerController(model, self.view.graph_scene, self.view)
        self.player.granularity = granularity
        messages = []
        self.player.message.connect(messages.append)
        if not self.player.enter(0):
            self.close()
            raise RenderError(messages[-1] if messages else "nothing to play")
        self.fit()

    @property
    def count(self) -> int:
        return self.player.count

    def fit(self) -> None:
        """Every node in view, clear of the caption above and the legend below."""
        view = self.view
        rect = view.graph_scene.itemsBoundingRect().adjusted(-24, -24, 24, 24)
        width, height = self.size
        room_h = max(height - CAPTION_ROOM - LEGEND_ROOM, height * 0.5)
        scale = min(width / max(rect.width(), 1.0), room_h / max(rect.height(), 1.0),
                    FIT_MAX_SCALE)
        view.resetTransform()
        view.scale(scale, scale)
        centre = rect.center()
        shift = (CAPTION_ROOM - LEGEND_ROOM) / 2 / scale   # centre within the free band
        view.centerOn(centre.x(), centre.y() - shift)

    def frame(self, k: int) -> QImage:
        """The picture of step ``k``, exactly ``size`` pixels."""
        self.player.go_to(k)
        image = self.view.grab().toImage()      # the view with its caption and legend
        if (image.width(), image.height()) != self.size:   # a high-DPI screen: 2× pixels
            image = image.scaled(*self.size, Qt.AspectRatioMode.IgnoreAspectRatio,
                                 Qt.TransformationMode.SmoothTransformation)
        return image.convertToFormat(QImage.Format.Format_RGB32)

    def close(self) -> None:
        self.view.close()
        self.view.deleteLater()


def clear_frames(out_dir: Path) -> None:
    for old in out_dir.glob("frame_*.png"):
        old.unlink()


def write_gif(images, path: Path, ms_per_frame: int = GIF_MS_PER_FRAME) -> None:
    """One GIF frame per image (Pillow), looping."""
    from PIL import Image
    frames = []
    for image in images:
        rgb = image.convertToFormat(QImage.Format.Format_RGB888)
        data = bytes(rgb.constBits())[:rgb.sizeInBytes()]
        frame = Image.frombuffer("RGB", (rgb.width(), rgb.height()), data, "raw", "RGB",
                                 rgb.bytesPerLine(), 1)
        frames.append(frame.quantize(colors=255, method=Image.Quantize.FASTOCTREE))
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=ms_per_frame,
                   loop=0, optimize=False, disposal=1)


def render_animation(model, out_dir, size=DEFAULT_SIZE, granularity: str = "edge",
                     gif=None, on_frame=None) -> int:
    """Write every step of ``model``'s pass as ``out_dir/frame_0000.png`` … (and ``gif``);
    ``on_frame(k, count)`` after each frame (return False to stop). Returns the frame count.
    RenderError when there is nothing to play or a file cannot be written."""
    out_dir = Path(out_dir)
    renderer = FrameRenderer(model, size, granularity)
    try:
        clear_frames(out_dir)
        count = renderer.count
        images, writes = [], []
        with ThreadPoolExecutor(max_workers=2) as pool:
            for k in range(count):
                image = renderer.frame(k)
                path = out_dir / f"frame_{k:04d}.png"
                writes.append((path, pool.submit(write_png, path, *rgb_rows(image))))
                if gif is not None:
                    images.append(image)
                if on_frame is not None and on_frame(k, count) is False:
                    count = k + 1
                    break
        for path, done in writes:
            error = done.exception()
            if error is not None:
                raise RenderError(f"could not write {path}: "
                                  f"{getattr(error, 'strerror', None) or error}")
        if gif is not None:
            try:
                write_gif(images, Path(gif))
            except OSError as error:
                raise RenderError(f"could not write {gif}: {error.strerror or error}") from None
        return count
    finally:
        renderer.close()
