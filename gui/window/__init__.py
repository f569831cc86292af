"""The window and the application around it: start-up, the main window and its docks, menus and
toolbar, dock layout for small screens, exports of pictures, crash recovery, and the Qt side of
the command line (`shot`, `render`)."""
