# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""The package has no import cycle (a static check of its imports).

Every import inside ``hallucinet_mm`` is an edge, at module level or
deferred into a function or class body alike, also to each package
``__init__`` that importing the target runs (except the importer's own
packages, which are already being imported). A strongly connected set of
more than one module is a cycle. The same holds one level up, between the
subpackages (``datasets``, ``store``, ...), which must follow the layer
order written in ``hallucinet_mm/__init__.py``.
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


def _all_imports(tree):
    """Every import of a file, deferred ones (in functions) included."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node


def _edges(mods):
    graph = {m: set() for m in mods}
    for mod, (path, is_pkg) in mods.items():
        base = mod.split('.') if is_pkg else mod.split('.')[:-1]
        with open(path) as f:
            tree = ast.parse(f.read(), path)
        for node in _all_imports(tree):
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


def _layer(mod):
    """The subpackage (or top-level module) of ``hallucinet_mm`` holding
    ``mod``; None for the package itself."""
    parts = mod.split('.')
    return parts[1] if len(parts) > 1 else None


def _layer_graph(graph):
    layers = {}
    for mod, targets in graph.items():
        for target in targets:
            a, b = _layer(mod), _layer(target)
            if a and b and a != b:
                layers.setdefault(a, set()).add(b)
                layers.setdefault(b, set())
    return layers


def _layer_order():
    """The layers as ``hallucinet_mm/__init__.py``'s docstring lists them,
    lowest first (one ``- <layer>: <may import>`` line each)."""
    with open(osp.join(ROOT, PACKAGE, '__init__.py')) as f:
        doc = ast.get_docstring(ast.parse(f.read()))
    order = {}
    for line in doc.split('Layers')[1].splitlines():
        name, sep, below = line.strip().lstrip('- ').partition(':')
        name = name.strip('`')
        if sep and name.isidentifier():
            order[name] = {
                b.strip().strip('`') for b in below.split(',') if b.strip()
            } - {'nothing'}
    return order


def test_detector_finds_a_cycle():
    assert _cycles({'a': {'b'}, 'b': {'a'}, 'c': {'a'}}) == [['a', 'b']]


def test_deferred_imports_are_counted():
    tree = ast.parse('def f():\n    from . import b\nclass C:\n'
                     '    def g(self):\n        import x.y\n')
    assert len(list(_all_imports(tree))) == 2
    graph = _edges(_modules())
    # checked_loading imports image_reader at module level, resnext3d and
    # frozen_teacher hara_layout; dive_multi_head reads decord lazily.
    assert 'hallucinet_mm.datasets.transforms.image_reader' in graph[
        'hallucinet_mm.datasets.transforms.checked_loading']
    assert 'hallucinet_mm.store.reader' in graph[
        'hallucinet_mm.datasets.transforms.teacher_features']


def test_no_import_cycle():
    assert _cycles(_edges(_modules())) == []


def test_no_cycle_between_subpackages():
    layers = _layer_graph(_edges(_modules()))
    assert _cycles(layers) == []
    assert 'store' in layers['datasets'] and 'datasets' not in layers['store']


def test_subpackages_follow_the_documented_layers():
    order = _layer_order()
    layers = _layer_graph(_edges(_modules()))
    assert set(layers) <= set(order), 'a layer is missing from the docstring'
    for layer, below in layers.items():
        assert below <= order[layer], (
            f'{layer} imports {sorted(below - order[layer])}, which '
            'hallucinet_mm/__init__.py does not list below it')
