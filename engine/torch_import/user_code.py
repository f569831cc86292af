"""Running the user's file: load MODEL.py, find the class, build the module by the pinned
recipe, draw the sample inputs and the target.

The recipe, in this order, so anyone can rebuild the same numbers: ``torch.manual_seed(seed)``;
build the module with no arguments under PyTorch's default float32; load ``--weights``
(``torch.load(..., weights_only=True)``: tensors only, never code); ``.double().eval()``; one
``torch.randn(shape, dtype=float64)`` per argument of ``forward``, in order; then the target —
``randn`` of the output's shape for mse, ``randint(0, 2)`` for bce, and for ce one-hot rows of
``randint(0, K)``, one per row. Loading the file runs its code, as ``import`` would (its
``if __name__ == "__main__":`` block does not run). Every failure is a ``Refused`` with one
line naming the file and line.
"""
from __future__ import annotations

import contextlib
import importlib.util
import inspect
import itertools
import os
import sys

from engine.torch_import.problems import Places, Refused, exception_text, need_torch

RESERVED = ("target", "loss")   # the ids the import gives its own target and loss nodes
_names = itertools.count(1)


@contextlib.contextmanager
def users_code(places: Places, doing: str):
    """Turn any exception of the user's code into one line: ``model.py:7: while building
    SpiralMLP(): ZeroDivisionError: division by zero``."""
    try:
        yield
    except Refused:
        raise
    except (Exception, SystemExit) as error:   # noqa: BLE001 - the user's code may raise anything
        raise Refused(f"{places.of_exception(error)}: {doing}: {exception_text(error)}") \
            from None


def load_class(path: str, class_name: str, places: Places):
    """Run the file as a module and return its class ``class_name`` (an nn.Module subclass)."""
    torch = need_torch()
    name = f"_backprop_studio_model_{next(_names)}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise Refused(f"{places.shown}: cannot be read as Python source (a .py file)")
    module = importlib.util.module_from_spec(spec)
    folder = os.path.dirname(os.path.abspath(path))
    sys.modules[name] = module
    sys.path.insert(0, folder)           # its own imports work, as with `python MODEL.py`
    try:
        with users_code(places, f"while running {places.shown}"):
            spec.loader.exec_module(module)
    finally:
        if sys.path and sys.path[0] == folder:
            del sys.path[0]
    cls = getattr(module, class_name, None)
    if cls is None:
        found = [n for n, v in vars(module).items() if isinstance(v, type)
                 and issubclass(v, torch.nn.Module) and v.__module__ == name]
        also = (f" (it defines {', '.join(found)})" if found
                else " (it defines no nn.Module subclass)")
        raise Refused(f"{places.shown}: no class {class_name!r}{also}")
    if not (isinstance(cls, type) and issubclass(cls, torch.nn.Module)):
        raise Refused(f"{places.shown}: {class_name} is not an nn.Module subclass")
    return cls


def forget() -> None:
    """Drop the model file's module from ``sys.modules`` (loading it again runs it anew)."""
    for name in [n for n in sys.modules if n.startswith("_backprop_studio_model_")]:
        del sys.modules[name]


def forward_arguments(module, class_name: str, places: Places) -> tuple[list, dict]:
    """The names of ``forward``'s arguments without a default (the inputs, after self) and
    the defaults of the others (traced as the constants they are); ``*args``, ``**kwargs``
    and the import's reserved names are refused."""
    try:
        signature = inspect.signature(module.forward)
    except (TypeError, ValueError):
        raise Refused(f"{places.shown}: cannot read the arguments of {class_name}.forward") \
            from None
    names, defaults = [], {}
    for parameter in signature.parameters.values():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            raise Refused(f"{places.shown}: {class_name}.forward takes "
                          f"{'*' if parameter.kind == parameter.VAR_POSITIONAL else '**'}"
                          f"{parameter.name}: name each argument, so each gets an "
                          "--input-shape")
        if parameter.default is not parameter.empty:
            defaults[parameter.name] = parameter.default
            continue
        if parameter.kind == parameter.KEYWORD_ONLY:
            raise Refused(f"{places.shown}: {class_name}.forward has a keyword-only argument "
                          f"{parameter.name!r} without a default: make it positional")
        if parameter.name in RESERVED:
            raise Refused(f"{places.shown}: {class_name}.forward has an argument named "
                          f"{parameter.name!r}, the name of the import's own {parameter.name} "
                          "node: rename the argument")
        names.append(parameter.name)
    return names, defaults


def build(cls, class_name: str, seed: int, weights: str | None, places: Places):
    """The module by the recipe: seeded, built under float32, weights loaded, float64, eval."""
    torch = need_torch()
    torch.manual_seed(seed)
    dtype = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)
    try:
        with users_code(places, f"while building {class_name}()"):
            module = cls()
    finally:
        torch.set_default_dtype(dtype)
    if weights is not None:
        load_weights(module, weights)
    with users_code(places, f"while converting {class_name} to float64 (.double().eval())"):
        module = module.double().eval()
    for name in RESERVED:
        if name in dict(module.named_parameters(recurse=False)):
            raise Refused(f"{places.shown}: {class_name} has a parameter named {name!r}, the "
                          f"name of the import's own {name} node: rename the parameter")
    return module


def load_weights(module, path: str) -> None:
    """``module.load_state_dict`` of the state file, read with ``weights_only=True``."""
    torch = need_torch()
    shown = os.path.basename(path)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except OSError as error:
        raise Refused(f"{path}: cannot read the weights: {error.strerror or error}") from None
    except Exception as error:  # noqa: BLE001 - a pickle that is not tensors, a broken file
        first = " ".join(str(error).split()).split(". ")[0]
        raise Refused(f"{shown}: not a state_dict of tensors (it is read with "
                      f"weights_only=True, which loads tensors only): {first}") from None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor)
                                               for v in state.values()):
        raise Refused(f"{shown}: not a state_dict (a dict of tensors, as "
                      "torch.save(model.state_dict(), path) writes)")
    try:
        module.load_state_dict(state)
    except RuntimeError as error:
        text = " ".join(str(error).split())
        text = text.split(":", 1)[1].strip() if text.startswith("Error(s)") else text
        raise Refused(f"{shown}: does not fit the module: {text}") from None


def samples(shapes) -> list:
    """One standard-normal float64 tensor per argument, in order."""
    torch = need_torch()
    return [torch.randn(tuple(shape), dtype=torch.float64) for shape in shapes]


def target_for(loss: str, output_shape: tuple):
    """The target drawn for ``loss`` (after the samples): randn, randint(0, 2) or one-hot
    rows of randint(0, K)."""
    torch = need_torch()
    if loss == "mse":
        return torch.randn(output_shape, dtype=torch.float64)
    if loss == "bce":
        return torch.randint(0, 2, output_shape).to(torch.float64)
    classes = output_shape[-1]
    rows = 1
    for n in output_shape[:-1]:
        rows *= n
    labels = torch.randint(0, classes, (rows,))
    one_hot = torch.nn.functional.one_hot(labels, classes).to(torch.float64)
    return one_hot.reshape(output_shape)
