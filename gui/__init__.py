"""Backprop Studio's Qt layer. It reaches the engine only through ``gui.model.GraphModel``
(see docs/architecture.md for the boundary and what else may be imported from ``engine``)."""
