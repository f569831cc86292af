"""The inspector dock: the selected node (op, inputs, settings, value editor, results, tensor
heatmap) and, with nothing selected, the graph's overview with its leaves table."""
