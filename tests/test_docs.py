# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""The README and the docs pages name only what exists.

Every repository path, config and script named in ``README.md`` and
``docs/*.md`` must exist (a glob or ``{a,b}`` must match something), every
``--flag`` given to one of the repository's scripts must be one its argparse
parser defines (read from its ``add_argument`` calls), every ``make`` target
must be in the Makefile, every ``hallucinet_mm.x.y`` name must import, and
every relative link must point at a file.
"""
import ast
import glob
import importlib
import os.path as osp
import re

import pytest

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
#: Top-level entries a path may start with (others, such as ``data/`` or
#: ``work_dirs/``, are made by the user and not checked).
TOP = ('hallucinet_mm', 'configs', 'tools', 'tests', 'docs', 'demo',
       'requirements', '.ci', 'Makefile', 'setup.py', 'model-index.yml',
       'requirements.txt', 'MANIFEST.in')
#: Launchers whose arguments after the config go to a Python tool.
LAUNCHED = {
    'tools/dist_train.sh': 'tools/train.py',
    'tools/slurm_train.sh': 'tools/train.py',
    'tools/dist_test.sh': 'tools/test.py',
    'tools/slurm_test.sh': 'tools/test.py',
}
DRAFT = 'docs/README_draft.md'
PAGES = ['README.md'] + sorted(
    osp.relpath(p, ROOT) for p in glob.glob(osp.join(ROOT, 'docs', '*.md')))

_SPLIT = re.compile(r'[\s`()\[\]"\'=]+')
_LINK = re.compile(r'\]\(([^)#\s]+)(?:#[^)]*)?\)')
_DOTTED = re.compile(r'\bhallucinet_mm(?:\.\w+)+')


def _text(page):
    with open(osp.join(ROOT, page), encoding='utf-8') as f:
        return f.read()


def _expand(path):
    """``a/{b,c}.py`` -> ``[a/b.py, a/c.py]``."""
    match = re.search(r'\{([^{}]*)\}', path)
    if not match:
        return [path]
    return [
        p for alt in match.group(1).split(',')
        for p in _expand(path[:match.start()] + alt + path[match.end():])
    ]


def _is_placeholder(token):
    return any(c in token for c in '<>$') or '...' in token


def repo_paths(text):
    """Tokens that name something in the repository (placeholders such as
    ``<student>`` or ``...`` left out)."""
    found = set()
    for token in _SPLIT.split(text):
        if _is_placeholder(token):
            continue
        token = token.rstrip('.,:;')
        first = token.split('/')[0]
        if first not in TOP:
            continue
        if '/' not in token and first not in TOP[7:]:
            continue  # a bare word such as "configs" or "tools"
        found.add(token)
    return found


def _exists(path):
    return any(
        glob.glob(osp.join(ROOT, p)) or osp.exists(osp.join(ROOT, p))
        for p in _expand(path))


#: Functions that add a tool's shared options, and the file defining them.
SHARED_OPTIONS = {
    'parse_runner_args': 'hallucinet_mm/engine/tool_cfg.py',
    'runner_parser': 'hallucinet_mm/engine/tool_cfg.py',
    'add_cfg_options': 'hallucinet_mm/engine/tool_cfg.py',
}


def script_flags(script):
    """The ``--flags`` a script's argparse parser defines (with those of
    the shared option functions it calls)."""
    with open(osp.join(ROOT, script), encoding='utf-8') as f:
        tree = ast.parse(f.read())
    flags = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, 'id', getattr(node.func, 'attr', None))
            if name in SHARED_OPTIONS and SHARED_OPTIONS[name] != script:
                flags |= script_flags(SHARED_OPTIONS[name])
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(
                        arg.value, str) and arg.value.startswith('--'):
                    flags.add(arg.value)
    return flags


def commands(text):
    """``(script, [--flags])`` of each command that runs a repository
    script (``python SCRIPT ...``, or a launcher or script first on the
    line); continuation lines (ending in ``\\``) are joined."""
    joined = re.sub(r'\\\n\s*', ' ', text)
    out = []
    for line in joined.splitlines():
        for segment in re.split(r'[`;|]|&&|\s#\s', line):
            words = segment.split()
            for i, word in enumerate(words):
                script = word[2:] if word.startswith('./') else word
                after_python = i > 0 and osp.basename(
                    words[i - 1]).startswith('python')
                if script in LAUNCHED and i == 0:
                    script = LAUNCHED[script]
                elif not (script.endswith('.py') and
                          (after_python or i == 0)):
                    continue
                if script.split('/')[0] in TOP and '*' not in script \
                        and not _is_placeholder(script):
                    flags = [
                        w.split('=')[0] for w in words[i + 1:]
                        if re.match(r'--[a-z]', w)
                    ]
                    out.append((script, flags))
                    break
    return out


def test_the_checks_see_what_they_check():
    text = ('`tools/train.py` and `configs/{ucf101,hmdb51}/*` but not '
            '`data/ucf101/x` nor `configs/ucf101/hallucinet_...`\n'
            'python tools/train.py CFG \\\n    --work-dir W --resume\n'
            '`tools/dist_test.sh CFG CKPT 2 --dump x.pkl`')
    assert repo_paths(text) == {'tools/train.py', 'configs/{ucf101,hmdb51}/*',
                                'tools/dist_test.sh'}
    assert ('tools/train.py', ['--work-dir', '--resume']) in commands(text)
    assert ('tools/test.py', ['--dump']) in commands(text)
    assert '--resume' in script_flags('tools/train.py')
    assert not _exists('tools/no_such_tool.py')


@pytest.mark.parametrize('page', PAGES)
def test_named_paths_exist(page):
    missing = sorted(p for p in repo_paths(_text(page)) if not _exists(p))
    assert not missing, f'{page} names paths that do not exist: {missing}'


@pytest.mark.parametrize('page', PAGES)
def test_links_point_at_files(page):
    # The README's draft is written to become README.md: its links are
    # relative to the repository root.
    base = ROOT if page == DRAFT else osp.dirname(osp.join(ROOT, page))
    missing = [
        link for link in _LINK.findall(_text(page))
        if '://' not in link and not osp.exists(osp.join(base, link))
    ]
    assert not missing, f'{page} links to missing files: {missing}'


@pytest.mark.parametrize('page', PAGES)
def test_script_flags_exist(page):
    wrong = []
    for script, flags in commands(_text(page)):
        if not osp.isfile(osp.join(ROOT, script)):
            wrong.append(f'{script} (no such script)')
            continue
        known = script_flags(script)
        wrong += [f'{script} {f}' for f in flags if f not in known]
    assert not wrong, f'{page} gives flags the scripts do not take: {wrong}'


@pytest.mark.parametrize('page', PAGES)
def test_make_targets_exist(page):
    makefile = _text('Makefile')
    targets = set(re.findall(r'^([\w-]+):', makefile, re.M))
    named = set(
        re.findall(r'(?:^\s*|`)make ([a-z][\w-]*)', _text(page), re.M))
    assert named <= targets, f'{page}: no make target {named - targets}'


@pytest.mark.parametrize('page', PAGES)
def test_python_names_import(page):
    wrong = []
    for name in sorted(set(_DOTTED.findall(_text(page)))):
        parts = name.split('.')
        for cut in range(len(parts), 0, -1):
            try:
                obj = importlib.import_module('.'.join(parts[:cut]))
            except ImportError:
                continue
            try:
                for attr in parts[cut:]:
                    obj = getattr(obj, attr)
            except AttributeError:
                wrong.append(name)
            break
        else:
            wrong.append(name)
    assert not wrong, f'{page} names what does not import: {wrong}'
