"""Training: initialisers' data sets and CSV tables, the training data a graph is fitted to,
the optimizers, the one training loop (`trainer.Trainer`) and its metrics, and the preview of
one update step that the player shows."""
