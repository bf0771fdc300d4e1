# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""The package has no import cycle (a static check of its imports).

Every module-level import inside ``hallucinet_mm`` is an edge, also to each
package ``__init__`` that importing the target runs (except the importer's
own packages, which are already being imported). A strongly connected set
of more than one module is a cycle.
"""
import ast
import os
import os.path as osp

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
PACKAGE = 'hallucinet_mm'


def _modules():
    mods = {}
    for dirpath, _, files in os.walk(osp.join(ROOT, PACKAGE)):
        for name in files:
            if not name.endswith('.py'):
                continue
            rel = osp.relpath(osp.join(dirpath, name), ROOT)[:-3]
            parts = rel.split(os.sep)
            is_pkg = parts[-1] == '__init__'
            if is_pkg:
                parts = parts[:-1]
            mods['.'.join(parts)] = (osp.join(dirpath, name), is_pkg)
    return mods


def _top_level_imports(tree):
    """Imports outside function and class bodies."""
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                                   ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))


def _edges(mods):
    graph = {m: set() for m in mods}
    for mod, (path, is_pkg) in mods.items():
        base = mod.split('.') if is_pkg else mod.split('.')[:-1]
        with open(path) as f:
            tree = ast.parse(f.read(), path)
        for node in _top_level_imports(tree):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                pkg = base[:len(base) - node.level + 1] if node.level else []
                src = '.'.join(pkg + ([node.module] if node.module else []))
                targets = [src] + [f'{src}.{a.name}' for a in node.names]
            for target in targets:
                parts = target.split('.')
                for i in range(1, len(parts) + 1):
                    name = '.'.join(parts[:i])
                    if name in mods and name != mod and \
                            not mod.startswith(name + '.'):
                        graph[mod].add(name)
    return graph


def _cycles(graph):
    """Tarjan's strongly connected components of more than one node."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_detector_finds_a_cycle():
    assert _cycles({'a': {'b'}, 'b': {'a'}, 'c': {'a'}}) == [['a', 'b']]


def test_no_import_cycle():
    mods = _modules()
    graph = _edges(mods)
    assert 'hallucinet_mm.store.reader' in graph['hallucinet_mm.store.loading']
    assert _cycles(graph) == []
