"""Training in the app: the Training panel (settings, buttons, live plots), its session (the
Python API lessons and tests drive), the worker thread, and the CSV dialog."""
