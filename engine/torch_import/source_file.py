"""What a model file offers, read without running it (``ast``): its module classes and the
arguments of their ``forward`` — for a dialog that asks one input shape per argument before
anything runs. Standard library only.

    for model in module_classes("model.py"):
        model.name, model.arguments        # "SpiralMLP", ["x"]  (None: forward not found)
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

    return [ModuleClass(node.name, arguments(node), node.lineno)
            for node in classes.values() if is_module(node)]
