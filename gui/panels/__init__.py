"""Docked panels beside the canvas: the op palette and the chain-rule panel."""
