# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Reading and checking the text lists the project reads, as a whole.

- :func:`read_text_lines` reads any text file (annotation list, unlabeled
  list, label map, record file) with an error that names the file and the
  line whatever its encoding: a UTF-8 byte-order mark is dropped (it would
  otherwise end up inside the first path), a binary file, UTF-16 or a
  Latin-1 file is refused naming ``file:line``.
- :func:`check_unique` refuses an entry listed twice (the same video twice)
  and a conflicting one (the same video with two labels), naming the file
  and both lines.
- :func:`read_name_list` reads a class-name list (label map): no blank line
  in the middle (it would shift every later index), no name twice, and,
  when the head is known, exactly its ``num_classes`` names.
"""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

from mmengine.fileio import get

UTF8_BOM = b'\xef\xbb\xbf'
_UTF16_BOMS = (b'\xff\xfe', b'\xfe\xff')


class ListFileError(ValueError):
    """A text list that cannot be read, or whose entries do not fit
    together; the message names the file and the line(s)."""


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b'\n', 0, offset) + 1


def read_text_lines(path: str,
                    what: str = 'text file') -> List[Tuple[int, str]]:
    """The lines of a UTF-8 text file, numbered from 1.

    Args:
        path (str): The file (any MMEngine file backend).
        what (str): What the file is, for messages. Defaults to
            ``'text file'``.

    Returns:
        list[tuple[int, str]]: ``(line number, line)`` without the line
        end; a UTF-8 byte-order mark at the start is removed.

    Raises:
        FileNotFoundError: The file does not exist.
        ListFileError: A binary, UTF-16 or otherwise non-UTF-8 file,
            naming ``file:line`` and the offending byte.
    """
    try:
        data = get(path)
    except FileNotFoundError:
        raise FileNotFoundError(f'{what} {path} does not exist') from None
    if data.startswith(_UTF16_BOMS):
        raise ListFileError(f'{path}: the {what} is UTF-16 text; save it as '
                            'UTF-8')
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM):]
    if b'\x00' in data:
        offset = data.index(b'\x00')
        raise ListFileError(
            f'{path}:{_line_of(data, offset)}: the {what} holds a NUL byte '
            f'(offset {offset}): it is a binary file, not a text list')
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError as err:
        bad = data[err.start:err.start + 1]
        raise ListFileError(
            f'{path}:{_line_of(data, err.start)}: the {what} is not UTF-8 '
            f'(byte {bad!r} at offset {err.start}: {err.reason}); save it '
            'as UTF-8 (e.g. iconv -f latin1 -t utf-8)') from None
    return list(enumerate(text.splitlines(), 1))


def check_unique(entries: Sequence[Tuple[str, object, int]],
                 path: str,
                 what: str = 'video',
                 paths: bool = True,
                 unit: str = 'line',
                 limit: int = 5) -> None:
    """Refuses an entry listed twice, or twice with different values.

    Args:
        entries (Sequence[tuple]): ``(key, value, line number)``.
        path (str): The list file.
        what (str): What a key is, for the message. Defaults to
            ``'video'``.
        paths (bool): The keys are paths (compared after
            ``osp.normpath``). Defaults to True.
        unit (str): What the numbers count (``'line'``, ``'entry'``).
            Defaults to ``'line'``.
        limit (int): How many repeats the message lists. Defaults to 5.

    Raises:
        ListFileError: Naming the file, each repeated key, its lines and,
            for a conflict, both values.
    """
    units = unit[:-1] + 'ies' if unit.endswith('y') else unit + 's'
    first: Dict[str, Tuple[object, int]] = {}
    problems = []
    for key, value, lineno in entries:
        norm = osp.normpath(str(key)) if paths else str(key)
        if norm not in first:
            first[norm] = (value, lineno)
            continue
        value0, line0 = first[norm]
        if value0 == value:
            problems.append(f'{what} {key} is listed twice ({units} '
                            f'{line0} and {lineno})')
        else:
            problems.append(
                f'{what} {key} has two labels: {value0!r} ({unit} {line0}) '
                f'and {value!r} ({unit} {lineno})')
    if problems:
        more = (f' ... ({len(problems)} in all)'
                if len(problems) > limit else '')
        raise ListFileError(f'{path}: ' + '; '.join(problems[:limit]) +
                            more + '; each must appear once')


def read_name_list(path: str,
                   num_classes: Optional[int] = None,
                   what: str = 'label map') -> List[str]:
    """Class names, one per line, checked as a whole.

    Args:
        path (str): The text file.
        num_classes (int, optional): The head's class count; the list must
            hold exactly that many names. Defaults to None (not checked).
        what (str): What the file is, for messages. Defaults to
            ``'label map'``.

    Returns:
        list[str]: The names, in class-index order.

    Raises:
        FileNotFoundError: The file does not exist.
        ListFileError: Not UTF-8, no names, a blank line between names, a
            name twice, or not ``num_classes`` names; naming the file and
            the line(s).
    """
    lines = read_text_lines(path, what)
    while lines and not lines[-1][1].strip():
        lines.pop()
    if not lines:
        raise ListFileError(f'{what} {path} holds no class names')
    blank = [n for n, line in lines if not line.strip()]
    if blank:
        raise ListFileError(
            f'{path}:{blank[0]}: blank line in the {what}; every line up to '
            'the last is a class name (a gap would shift the later indices)')
    names = [line.strip() for _, line in lines]
    check_unique([(name, None, n) for n, name in enumerate(names, 1)], path,
                 what='class name', paths=False)
    if num_classes is not None and len(names) != num_classes:
        raise ListFileError(
            f'{what} {path} holds {len(names)} class names but the model\'s '
            f'head has num_classes={num_classes}: it is the list of another '
            'dataset or model')
    return names
