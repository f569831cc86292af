"""Lessons: short walkthroughs of an example, as data files (resources/lessons/*.json,
docs/lessons.md), read, resolved and checked without Qt.

    run = LessonRun.read("resources/lessons/02_chain_rule.json")
    run.check()                   # LessonError naming the file, the step and the cause
    run.text(3)                   # step 3's prose, its {grad:x}… filled from the engine
    run.question(5)               # what step 5's prediction asks (engine.predict.Question)

``format`` reads a file's shape, ``placeholders`` fills the prose, ``state`` is the example as
set up at one step, ``walk`` the whole lesson.
"""
from engine.lessons.format import (FORMAT, PANELS, VERSION, Change, Lesson, LessonError,
                                   LessonStep, Prediction, SetValue, Wait, parse_lesson,
                                   read_lesson)
from engine.lessons.state import State, StepOutOfRange
from engine.lessons.walk import (EXAMPLES_DIR, LESSONS_DIR, LessonRun, Situation,
                                 example_path, shipped_lessons)

__all__ = ["FORMAT", "VERSION", "PANELS", "Lesson", "LessonStep", "Change", "SetValue",
           "Prediction", "Wait", "LessonError", "read_lesson", "parse_lesson", "State",
           "StepOutOfRange", "LessonRun", "Situation", "example_path", "shipped_lessons",
           "EXAMPLES_DIR", "LESSONS_DIR"]
