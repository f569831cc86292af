"""Docked panels beside the canvas that explain what it shows (the player's step card, ...)."""
