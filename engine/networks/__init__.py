"""Networks of dense layers on the op graph (no Qt): recognising them, building and editing
them, fitting them to data, and the chain of one weight.

- ``layers``   — ``recognize(graph) -> Network`` (layers read from the structure) or
  ``NotLayered(reason)``; ``network_or_reason`` never raises.
- ``widths``   — ``data_widths``: the row widths a graph takes, read from its layers.
- ``targets``  — classes or numbers from a CSV's target column: the loss and output width.
- ``builder``  — ``build_network(NetworkSpec)``: the examples' ids and layout.
- ``editing``  — add or remove a hidden layer or units, change an activation.
- ``adapt``    — fit a graph's input and output layers to a CSV (``csv_fit``, ``adapt``).
- ``chain``    — ``weight_chain``: ∂L/∂W[i, j] as the sum of its paths, checked.
- ``graph_edit`` — the difference between two graphs as one list of edits (one undo step).
"""
