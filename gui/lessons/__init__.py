"""Lessons in the app: a dock beside the canvas that walks the learner through a lesson file
(resources/lessons/, docs/lessons.md) on the real app.

``install`` adds the Lessons dock, Help ▸ Lessons and the empty canvas's entry; ``panel`` is
the dock's content (the list of lessons, then one lesson's steps); ``driver`` plays a step on
the window (documents, undo steps, the player, predict mode, training); ``progress`` remembers
where the learner is. The lesson itself is read and resolved by the engine (engine/lessons),
reached through the model (gui/model/lesson_access.py).
"""
