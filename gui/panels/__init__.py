"""Docked panels beside the canvas that explain the last pass: the chain-rule panel and the
player's step card."""
