"""Training in the app: the Training panel (settings, buttons, live plots), its session (the
Python API lessons and tests drive), the run on a worker process and its relay, and the CSV
dialog."""
