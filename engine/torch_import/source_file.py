"""What a model file offers, read without running it (``ast``): its module classes and the
arguments of their ``forward`` — for a dialog that asks one input shape per argument before
anything runs. Standard library only.

    for model in module_classes("model.py"):
        model.name, model.arguments        # "SpiralMLP", ["x"]  (None: forward not found)
        model.constructible                # its __init__ needs no arguments (as the import does)
    first_width("model.py", "SpiralMLP")   # 2: in_features of the first nn.Linear it builds
    main_class(module_classes("model.py")) # the class a dialog offers first
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

MODULE_BASES = {"Module", "Sequential", "ModuleList", "ModuleDict"}


@dataclass(frozen=True)
class ModuleClass:
    name: str
    arguments: list | None     # forward's arguments without a default, after self
    line: int
    constructible: bool = True  # __init__ takes no argument without a default (or none found)


def module_classes(path) -> list[ModuleClass]:
    """The file's classes that derive from ``nn.Module`` (directly, or through another class
    of the file), in the file's order. SyntaxError and OSError pass through."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), filename=str(path))
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}

    def base_names(node):
        for base in node.bases:
            if isinstance(base, ast.Attribute):
                yield base.attr
            elif isinstance(base, ast.Name):
                yield base.id

    def is_module(node, seen=()):
        for name in base_names(node):
            if name in MODULE_BASES:
                return True
            if name in classes and name not in seen and is_module(classes[name], seen + (name,)):
                return True
        return False

    def arguments(node, seen=()):
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and item.name == "forward":
                args = item.args.posonlyargs + item.args.args
                required = args[:len(args) - len(item.args.defaults)]
                return [a.arg for a in required[1:]]
        for name in base_names(node):
            if name in ("Sequential",):
                return ["input"]
            if name in classes and name not in seen:
                found = arguments(classes[name], seen + (name,))
                if found is not None:
                    return found
        return None

    def constructible(node):
        init = _method(node, "__init__")
        if init is None:
            return True
        args = init.args.posonlyargs + init.args.args
        required = len(args) - len(init.args.defaults) - 1
        kw_required = sum(d is None for d in init.args.kw_defaults)
        return required <= 0 and kw_required == 0

    return [ModuleClass(node.name, arguments(node), node.lineno, constructible(node))
            for node in classes.values() if is_module(node)]


def _method(node: ast.ClassDef, name: str):
    return next((item for item in node.body
                 if isinstance(item, ast.FunctionDef) and item.name == name), None)


def main_class(classes: list[ModuleClass]) -> ModuleClass | None:
    """The class to offer first: the last one that can be built with no arguments (a file
    defines its building blocks before the model that uses them), else the last one."""
    usable = [c for c in classes if c.constructible]
    return (usable or classes or [None])[-1]


def first_width(path, class_name: str) -> int | None:
    """The ``in_features`` of the first ``nn.Linear`` the class's ``__init__`` builds (in
    source order), when it is written as a number (``nn.Linear(2, 16)``): a guess at the width
    of the input rows. None otherwise (or when the file cannot be read)."""
    try:
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), filename=str(path))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None
    cls = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == class_name),
               None)
    init = _method(cls, "__init__") if cls is not None else None
    if init is None:
        return None
    calls = sorted((n for n in ast.walk(init)
                    if isinstance(n, ast.Call) and _called(n.func) == "Linear"),
                   key=lambda n: (n.lineno, n.col_offset))          # in source order
    if not calls:
        return None
    call = calls[0]                    # a later Linear's in_features is a hidden width
    first = call.args[0] if call.args else next(
        (k.value for k in call.keywords if k.arg == "in_features"), None)
    if isinstance(first, ast.Constant) and type(first.value) is int and first.value > 0:
        return first.value
    return None


def _called(func) -> str | None:
    return func.attr if isinstance(func, ast.Attribute) else \
        func.id if isinstance(func, ast.Name) else None
