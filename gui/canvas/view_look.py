"""The canvas's part in the look (gui/theme/look.py): the text size is the canvas's zoom at
Actual Size (Ctrl+0 returns to it; a change of text size zooms the view by as much), and a
switch of theme repaints the scene, its overlays and cached pixmaps in the new colours."""
from __future__ import annotations

from PySide6.QtGui import QPixmapCache

from gui.theme import look


class LookFollowing:
    """Mixed into CanvasView (which has ``graph_scene``, ``fitted``, ``fit_view``, ``zoom_by``)."""

    def follow_look(self) -> None:
        self._text_scale = look.text_scale()
        look.follow(self, self.look_changed)

    @property
    def base_zoom(self) -> float:
        """The zoom of Actual Size: the text size."""
        return look.text_scale()

    def actual_size(self) -> None:
        """Ctrl+0: text on the canvas at the text size (1:1 at 100 %)."""
        self.resetTransform()
        self.scale(self.base_zoom, self.base_zoom)

    def look_changed(self) -> None:
        QPixmapCache.clear()                 # items' device caches: drawn in the old colours
        self.graph_scene.restyle()
        self.resetCachedContent()            # the cached background
        for child in (self.caption_overlay, self.legend, self.banner, self.empty_hint):
            child.place()
            child.update()
        scale, old = look.text_scale(), self._text_scale
        self._text_scale = scale
        if scale != old:
            if self.fitted:
                self.fit_view()
            else:
                self.zoom_by(scale / old)
        self.viewport().update()
