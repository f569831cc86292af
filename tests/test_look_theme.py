"""Themes, live (issue 20): View ▸ Theme switches every panel, dock, plot and dialog at once —
also plots and panels built after the switch, and plot tabs shown after it; Follow System
follows the desktop's colour scheme as it changes (Dark where the desktop does not say);
``--theme`` on the app, ``shot`` and ``render``, which ignore the saved settings.

A widget "follows" when its picture holds none of the other theme's surface colours (window,
panels, fields, buttons, canvas, node bodies) and a good share of its own."""
from __future__ import annotations

import os
import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QDockWidget

from conftest import EXAMPLES, ROOT, run_process
from engine.cli import classify
from gui.theme import colors, look
from look_helpers import default_look, share  # noqa: F401 (fixture)
from training_helpers import open_example, show_plot, wait_idle
from window_fixtures import dialogs, settings, window  # noqa: F401 (fixtures)

DARK, LIGHT = colors.DARK, colors.LIGHT


def surfaces(table) -> set[str]:
    found = {table.window, table.panel, table.base, table.raised, table.canvas,
             table.node_body, table.hover, table.selected, table.grid_major}
    return found - {"#ffffff", "#000000"}      # white and black are text in the other theme


def assert_follows(widgets: dict, table, other) -> None:
    stale = {name: share(w, surfaces(other)) for name, w in widgets.items()}
    own = {name: share(w, surfaces(table) | {table.base}) for name, w in widgets.items()}
    assert {name: s for name, s in stale.items() if s > 0.002} == {}, table.name
    assert {name: s for name, s in own.items() if s < 0.25} == {}, table.name


def choose(window, name: str) -> None:
    window.look_menu.theme_actions[f"theme_{name}"].trigger()
    QApplication.processEvents()


def everything(window) -> dict:
    """Every dock, panel, plot and dialog the window has (building the lazy ones)."""
    from gui.player.export_dialog import ExportAnimationDialog
    from gui.training.csv_dialog import CsvDialog
    panel = window.training
    found = {d.objectName(): d for d in window.findChildren(QDockWidget) if d.isVisible()}
    for plot in panel.plots:
        show_plot(panel, plot)
        found[type(plot).__name__] = plot
    found["canvas"] = window.canvas
    found["toolbar"], found["menu"] = window.toolbar, window.menuBar()
    found["view menu"] = window.look_menu.theme_menu
    found["csv dialog"] = CsvDialog(panel.session, str(EXAMPLES / "iris.csv"), window)
    found["export dialog"] = ExportAnimationDialog(window)
    found["builder"] = window.network.open_builder()
    found["import dialog"] = _import_dialog(window)
    return found


def _import_dialog(window):
    window.actions_by_name["import_torch"].trigger()
    QApplication.processEvents()
    dialog = window.import_dialog
    dialog.hide()
    return dialog


def test_view_theme_switches_every_panel_dock_plot_and_dialog_live(window, qtbot, default_look):
    open_example(window, "xor_mlp")
    assert look.current().theme == "dark"               # offscreen says nothing: Dark
    choose(window, "light")                             # before the lazy panels exist …
    assert window.look_menu.theme_actions["theme_light"].isChecked()
    assert window.settings.value("look/theme") == "light"
    panel = window.training
    window.training_dock.show()
    window.training_dock.raise_()
    panel.start(20)
    wait_idle(qtbot, panel)
    widgets = everything(window)
    assert_follows(widgets, LIGHT, DARK)                # … they are built in it
    window.player.enter(3)                              # the player and its step card …
    QApplication.processEvents()
    window.player_actions["predict"].trigger()          # … in predict mode
    QApplication.processEvents()
    assert window.player.predict.enabled
    player = {"player": window.player_dock, "step card": window.step_card,
              "predict box": window.step_card.predict_box}
    assert_follows(player, LIGHT, DARK)
    window.player_actions["predict"].trigger()
    window.player.leave()
    window.actions_by_name["lessons"].trigger()         # Help ▸ Lessons, Help ▸ The Chain Rule
    window.actions_by_name["chain_rule"].trigger()
    QApplication.processEvents()
    widgets["lessons"], widgets["help"] = window.lessons_dock, window.help_dock
    assert_follows({"lessons": window.lessons_dock, "help": window.help_dock}, LIGHT, DARK)
    window.network.show_neurons(True)                   # the neuron view
    QApplication.processEvents()
    widgets["neuron view"] = window.network.page
    choose(window, "dark")                              # live: everything redraws
    for plot in panel.plots:
        show_plot(panel, plot)                          # hidden plot tabs: shown after it
    assert_follows(widgets, DARK, LIGHT)
    window.player.enter(3)
    QApplication.processEvents()
    assert_follows(player, DARK, LIGHT)
    for plot in panel.plots:      # axis titles in the muted text colour, not the axis pen's
        axis = plot.plot.getPlotItem().getAxis("bottom")
        assert f"color:{DARK.muted}" in axis.label.toHtml().replace(" ", "")
        assert axis.pen().color().name() == DARK.border


def test_follow_system_follows_the_desktop_as_it_changes(window, monkeypatch, default_look):
    hints = QApplication.instance().styleHints()
    scheme = {"now": None}
    monkeypatch.setattr(look, "system_theme", lambda: scheme["now"])
    choose(window, "system")
    assert look.current().theme == "dark"               # unknown: Dark
    scheme["now"] = "light"
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert look.current().theme == "light" and colors.active() is LIGHT
    assert share(window.canvas, surfaces(LIGHT)) > 0.5
    choose(window, "dark")                              # chosen: the desktop no longer matters
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert look.current().theme == "dark"
    assert window.look_menu.theme_actions["theme_dark"].isChecked()


def test_theme_on_the_command_line():
    graph = str(EXAMPLES / "xor_mlp.json")
    assert classify(["--theme", "light", graph]) == classify([graph])._replace(theme="light")
    assert classify([graph]).kind == "app" and classify([graph]).theme is None
    assert classify(["--theme=system"]).theme == "system"
    assert classify([graph, "--theme", "dark"]).theme == "dark"
    refused = classify(["--theme", "pink"])
    assert refused.kind == "error" and "light, dark, system" in refused.message
    assert classify(["--theme"]).kind == "error"
    assert classify(["shot", "--theme", "light"]).rest == ("--theme", "light")


def _corner(path) -> str:
    image = QImage(str(path))
    return image.pixelColor(image.width() - 3, image.height() // 2).name()


def test_shot_ignores_saved_settings_and_takes_theme(tmp_path):
    """A user's saved Light theme and 200 % text do not reach ``shot``: Dark unless told."""
    config = tmp_path / "config" / "Backprop Studio"
    config.mkdir(parents=True)
    (config / "Backprop Studio.conf").write_text("[look]\ntheme=light\ntext_size=200\n")
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"), QT_QPA_PLATFORM="offscreen")
    shots = {}
    for name, extra in (("default", []), ("light", ["--theme", "light"])):
        out = tmp_path / f"{name}.png"
        result = run_process([sys.executable, "main.py", "shot",
                              str(EXAMPLES / "chain_rule.json"), "--width", "900", "--height", "600",
                              "--out", str(out), *extra], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        shots[name] = _corner(out)
    assert shots == {"default": DARK.panel, "light": LIGHT.panel}


def test_series_classes_and_signs_differ_by_more_than_colour(window, qtbot, default_look):
    """Gradient-norm lines: a dash pattern each; classes: a marker shape each (the spiral's
    three classes drawn as three shapes); a tensor edge says its sign in its number."""
    import numpy as np
    from gui.canvas.edge_encoding import label_text
    open_example(window, "spiral_classifier")
    panel = window.training
    window.training_dock.show()
    window.training_dock.raise_()
    panel.start(5)
    wait_idle(qtbot, panel)
    curves = list(panel.gradient_plot.curves.values())
    assert len(curves) >= 4
    patterns = [tuple(c.opts["pen"].dashPattern()) if c.opts["pen"].style() != Qt.PenStyle.SolidLine
                else () for c in curves]
    assert len(set(patterns)) == len(patterns)                  # no two lines alike but by hue
    show_plot(panel, panel.boundary_plot)
    dots = [item for item in panel.boundary_plot.plot.getPlotItem().items
            if hasattr(item, "data") and hasattr(item, "points") and len(item.data)]
    symbols = {str(s) for item in dots for s in item.data["symbol"]}
    assert len(symbols) >= 3                                    # three classes, three shapes
    assert label_text(np.array([0.5, 2.0])) == "+2"
    assert label_text(np.array([-0.5, -2.0])) == "−2"
    assert label_text(np.array([-0.5, 2.0])) == "±2"
    # the neuron view's weight lines: a negative one dashed, a positive one solid
    from gui.network.neuron_picture import _line_pen
    assert _line_pen(-0.5, 1.0, False).style() == Qt.PenStyle.CustomDashLine
    assert _line_pen(0.5, 1.0, False).style() == Qt.PenStyle.SolidLine


def test_the_saved_look_is_read_and_nonsense_is_the_default(tmp_path):
    from PySide6.QtCore import QSettings
    from gui.window.look_menu import saved_look
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    assert saved_look(settings) == ("system", 100, False)          # a first start
    for key, value in (("look/theme", "light"), ("look/text_size", 175),
                       ("look/reduce_motion", True)):
        settings.setValue(key, value)
    assert saved_look(settings) == ("light", 175, True)
    for key, value in (("look/theme", "pink"), ("look/text_size", "huge"),
                       ("look/reduce_motion", "maybe")):
        settings.setValue(key, value)                                # a hand-edited file
    assert saved_look(settings) == ("system", 100, False)
    settings.setValue("look/text_size", 130)                         # not on the menu
    assert saved_look(settings)[1] == 100
