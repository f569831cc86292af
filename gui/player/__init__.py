"""The backprop player: a Trace replayed step by step on the canvas.

``timeline`` (steps and the display record of each), ``derivatives`` and ``explain`` (the step
card's text) are plain Python, testable without Qt; ``controller`` (play, pause, go to step k),
``strip`` (the controls), ``render`` (frames and GIFs) and ``export_dialog`` use Qt.
This package imports nothing at import time, so the plain modules stay Qt-free.
"""
