"""Documents: new / open / save / save as, bad files, the unsaved-changes prompt, recent files,
examples and .json drops — on a real MainWindow (offscreen)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

import engine
from gui.model import commands
from gui.model import files
from window_fixtures import dialogs, graph_dict, settings, square_graph_file, window  # noqa: F401

Save, Discard, Cancel = (QMessageBox.StandardButton.Save, QMessageBox.StandardButton.Discard,
                         QMessageBox.StandardButton.Cancel)


def edit(win, node_id="extra"):
    win.undo_stack.push(commands.AddNode(win.model, node_id, "constant", value=1.0,
                                         position=(50, 300)))


def test_open_save_reopen_gives_the_same_graph(window, tmp_path):
    source = square_graph_file(tmp_path / "square.json")
    assert window.open_file(source)
    edit(window)
    window.undo_stack.push(commands.MoveNodes(window.model, {"x": ((0, 0), (-40, 80))}))
    before = graph_dict(window)
    out = tmp_path / "copy.json"
    assert window.save_as(str(out))
    assert window.open_file(str(source), ask=False)
    assert window.open_file(str(out))
    after = graph_dict(window)
    assert after == before
    positions = {n["id"]: n.get("position") for n in after["nodes"]}
    assert positions["x"] == [-40, 80] and positions["extra"] == [50, 300]
    assert window.windowTitle() == "Backprop Studio — copy.json"


def test_save_writes_to_the_open_path_and_clears_the_star(window, tmp_path):
    path = square_graph_file(tmp_path / "g.json")
    window.open_file(path)
    edit(window)
    assert window.windowTitle().endswith("*")
    assert window.save()
    assert not window.windowTitle().endswith("*")
    ids = [n["id"] for n in json.loads(Path(path).read_text())["nodes"]]
    assert ids == ["x", "y", "extra"]


def test_save_untitled_asks_for_a_path_and_adds_json(window, dialogs, tmp_path):
    edit(window)
    dialogs.save_path = str(tmp_path / "fresh")
    assert window.save()
    assert (tmp_path / "fresh.json").is_file()
    assert window.windowTitle() == "Backprop Studio — fresh.json"
    dialogs.save_path = None           # a cancelled dialog saves nothing
    edit(window, "more")
    assert not window.save_as()
    assert window.windowTitle().endswith("*")


@pytest.mark.parametrize("content, needle", [
    ("{not json", "JSON"),
    ('{"format": "backprop-studio-graph", "version": 99, "nodes": [], "edges": []}',
     "version 99 is newer than this Backprop Studio"),
    ('{"format": "backprop-studio-graph", "version": 1, "nodes": [], '
     '"edges": [{"source": "a", "target": "b", "port": 0}]}', ""),
])
def test_a_bad_file_leaves_the_document_untouched_and_says_why(window, dialogs, tmp_path,
                                                               content, needle):
    window.open_file(square_graph_file(tmp_path / "good.json"))
    edit(window)
    before, title = graph_dict(window), window.windowTitle()
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    assert not window.open_file(str(bad), ask=False)
    assert graph_dict(window) == before and window.windowTitle() == title
    assert window.undo_stack.canUndo()          # the edit history survives too
    assert dialogs.kinds() == ["warning"]
    assert "bad.json" in dialogs.texts() and needle in dialogs.texts()
    assert "bad.json" in window.statusBar().currentMessage()


def test_a_missing_file_says_so(window, dialogs, tmp_path):
    assert not window.open_file(str(tmp_path / "nope.json"))
    assert "no such file" in dialogs.texts().lower()


def test_unsaved_changes_prompt_cancel_discard_save(window, dialogs, tmp_path):
    path = square_graph_file(tmp_path / "g.json")
    window.open_file(path)
    edit(window)
    before = graph_dict(window)
    dialogs.answer = Cancel
    assert not window.new_document()
    assert graph_dict(window) == before and window.modified
    dialogs.answer = Save
    assert window.new_document()
    assert [n["id"] for n in json.loads(Path(path).read_text())["nodes"]][-1] == "extra"
    assert window.model.graph.node_ids() == []
    assert window.windowTitle() == "Backprop Studio — Untitled"
    edit(window)
    dialogs.answer = Discard
    assert window.open_file(path)
    assert "extra" in window.model.graph.node_ids()     # the saved version, not the discarded one
    assert dialogs.kinds() == ["warning"] * 3


def test_close_with_unsaved_changes_can_be_cancelled(window, dialogs):
    edit(window)
    dialogs.answer = Cancel
    assert not window.close()
    assert window.isVisible()
    dialogs.answer = Discard
    assert window.close()


def test_no_prompt_when_unmodified_or_undone_to_the_save_point(window, dialogs):
    edit(window)
    window.undo_stack.undo()
    assert window.new_document()
    assert dialogs.shown == []


def test_recent_files_newest_first_and_missing_dropped(window, dialogs, tmp_path):
    paths = [square_graph_file(tmp_path / f"g{i}.json") for i in range(3)]
    for path in paths:
        window.open_file(path)
    resolved = [str(Path(p).resolve()) for p in paths]
    assert window.recent.paths() == resolved[::-1]
    Path(paths[1]).unlink()
    window.recent_menu.aboutToShow.emit()
    labels = [a.text() for a in window.recent_menu.actions() if a.text()]
    assert any("g2.json" in t for t in labels) and not any("g1.json" in t for t in labels)
    assert "g1.json" in window.statusBar().currentMessage()
    Path(paths[0]).unlink()
    assert not window.open_recent(resolved[0])
    assert resolved[0] not in window.recent.paths()
    assert "no longer exists" in dialogs.texts()


def test_recent_files_keep_at_most_ten(settings, tmp_path):
    recent = files.RecentFiles(settings)
    for i in range(14):
        recent.add(tmp_path / f"f{i}.json")
    recent.add(tmp_path / "f5.json")
    paths = recent.paths()
    assert len(paths) == 10 and paths[0].endswith("f5.json") and len(set(paths)) == 10


def test_recent_menu_entry_opens_the_file(window, tmp_path):
    path = square_graph_file(tmp_path / "r.json")
    window.open_file(path)
    window.new_document()
    window.recent_menu.aboutToShow.emit()
    entry = next(a for a in window.recent_menu.actions() if "r.json" in a.text())
    entry.trigger()
    assert window.windowTitle() == "Backprop Studio — r.json"


EXAMPLES = files.example_files()


def test_examples_exist_and_are_listed(window):
    assert EXAMPLES, "resources/examples has no graphs"
    listed = [a.data() for a in window.examples_menu.actions()]
    assert listed == [str(p) for p in EXAMPLES]


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_each_example_opens_as_an_untitled_copy_and_runs(window, dialogs, example, tmp_path):
    action = next(a for a in window.examples_menu.actions() if a.data() == str(example))
    action.trigger()
    window.model.run_now()
    assert window.model.graph.node_ids() == [n["id"] for n in
                                             json.loads(example.read_text())["nodes"]]
    assert window.model.errors == {} and window.model.status == ""
    assert window.model.grads, "an example should have a loss and gradients"
    assert window.path is None and "(example)" in window.windowTitle()
    for node_id in window.model.graph.node_ids():
        assert window.canvas.node_item(node_id) is not None
    dialogs.save_path = str(tmp_path / "mine.json")     # Save never overwrites the example
    assert window.save()
    assert window.path == (tmp_path / "mine.json").resolve()


def _drop_urls(target, urls):
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(u) for u in urls])
    actions = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(QPoint(20, 20), actions, data, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, enter)
    move = QDragMoveEvent(QPoint(20, 20), actions, data, Qt.MouseButton.LeftButton,
                          Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, move)
    drop = QDropEvent(QPointF(20, 20), actions, data, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, drop)
    return enter.isAccepted()


@pytest.mark.parametrize("on_canvas", [False, True], ids=["window", "canvas"])
def test_dropping_a_json_file_opens_it(window, qtbot, tmp_path, on_canvas):
    target = window.canvas.viewport() if on_canvas else window
    path = square_graph_file(tmp_path / "dropped.json")
    assert _drop_urls(target, [path])
    qtbot.waitUntil(lambda: window.windowTitle() == "Backprop Studio — dropped.json")
    (tmp_path / "notes.txt").write_text("hi")
    window.new_document()
    _drop_urls(target, [str(tmp_path / "notes.txt")])
    QApplication.processEvents()
    assert window.windowTitle() == "Backprop Studio — Untitled"


def test_saving_to_an_unwritable_place_says_why(window, dialogs, tmp_path):
    edit(window)
    assert not window.save_as(str(tmp_path / "missing_dir" / "g.json"))
    assert dialogs.kinds() == ["warning"] and window.modified


def test_saved_file_loads_in_the_engine(window, tmp_path):
    window.open_file(square_graph_file(tmp_path / "s.json", x=5.0))
    window.save_as(str(tmp_path / "t.json"))
    graph = engine.load_graph(str(tmp_path / "t.json"))
    graph.forward()
    assert float(graph.backward()["x"]) == 10.0


def test_empty_graph_offers_example_links_with_one_line_tooltips(window):
    overview = window.inspector.overview
    assert overview.examples.isVisible()
    for path in EXAMPLES:
        link = overview.example_link(files.example_title(path))
        assert str(path) in link.text()
        tip = link.toolTip()          # the description's first sentence, on one line
        assert tip and "\n" not in tip and tip.endswith(".")
        assert engine.load_graph(path).extra["description"].startswith(tip[:-1])
    link = overview.example_link(files.example_title(EXAMPLES[0]))
    QTest.mouseClick(link, Qt.MouseButton.LeftButton, pos=QPoint(8, link.height() // 2))
    assert window.model.graph.node_ids() and "(example)" in window.windowTitle()
    assert not overview.examples.isVisible()


def test_example_titles():
    assert files.example_title(Path("chain_rule.json")) == "Chain rule"
    assert files.example_title(Path("xor_mlp.json")) == "XOR MLP"


def test_file_dialogs_start_in_the_last_folder_used(window, dialogs, tmp_path, monkeypatch):
    folder = tmp_path / "work"
    folder.mkdir()
    window.open_file(square_graph_file(folder / "a.json"))
    window.new_document()
    seen = []
    monkeypatch.setattr("gui.window.main_window.QFileDialog.getOpenFileName",
                        lambda parent, title, start, filt: seen.append(start) or ("", ""))
    assert not window.open_dialog()
    assert seen == [str(folder.resolve())]


def test_examples_menu_tooltips_and_the_overviews_try_lines(window):
    menu = window.examples_menu
    assert menu.toolTipsVisible()
    for action in menu.actions():
        path = Path(action.data())
        assert action.toolTip() == files.example_summary(path) != ""
    window.open_file(str(EXAMPLES[0].parent / "two_paths.json"), ask=False)
    settle_window()
    overview = window.inspector.overview
    tries = engine.load_graph(EXAMPLES[0].parent / "two_paths.json").extra["try"]
    assert overview.try_label.isVisible() and len(tries) >= 2
    shown = QTextDocumentText(overview.try_label.text())
    assert shown.startswith("Try:") and all(t in shown for t in tries)


def QTextDocumentText(html: str) -> str:
    from PySide6.QtGui import QTextDocument
    document = QTextDocument()
    document.setHtml(html)
    return document.toPlainText()


def settle_window():
    QApplication.processEvents()
