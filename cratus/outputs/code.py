"""How a session's patient-level study was made, and the few lines of Python that reproduce any of its outputs.

A :class:`Recipe` records where the data came from (the files read, in order,
or the seeded synthetic demo), the mapping choices and the subject filters.
:meth:`Recipe.open` rebuilds the study exactly as the dashboard builds it
(:func:`open_study`: read → filter → :func:`~cratus.patient.to_study` laid out
like the published study), and :meth:`Recipe.code` writes the lines that
reproduce ``func(study, *args, **kwargs)`` with the current selections as
literals: imports, opening the files, the call.  A :class:`Call` may nest
other calls as arguments (a figure with each patient's lines added) and pick
an item of the result (one table of a view).

Examples
--------
>>> from cratus.tables.baseline import table_one
>>> recipe = Recipe(files=("adsl.xpt", "adae.xpt"), mapping={"population": "all"})
>>> print(recipe.code(table_one, kwargs={"arms": ("100M", "placebo")}, title="Baseline characteristics"))
# Baseline characteristics
# From the files adsl.xpt, adae.xpt: run it in their folder, with cratus importable.
from cratus.patient import open_study
from cratus.tables.baseline import table_one
<BLANKLINE>
study = open_study(["adsl.xpt", "adae.xpt"], mapping={"population": "all"})
result = table_one(study, arms=("100M", "placebo"))
print(result.to_string(index=False))
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import typing
from dataclasses import dataclass, field, replace

import numpy as np

#: What the synthetic demo is called in a snippet's first line and in reports.
SYNTHETIC_WORDS = "the synthetic demo (made-up patients)"
_WIDTH = 110


def open_study(files, mapping: dict | None = None, filters: tuple = (), reference=None):
    """Read patient-level files into a study, as the dashboard does.

    Parameters
    ----------
    files : list of paths, or dict of name → bytes
        The files (e.g. ``["adsl.xpt", "adae.xpt"]``, or
        :func:`~cratus.patient.synthetic.synthetic_files`).
    mapping : dict, optional
        Mapping choices (:class:`~cratus.patient.Mapping` fields), e.g.
        ``{"population": "all"}``.
    filters : tuple of (variable, levels), optional
        Subject filters (:func:`cratus.patient.subset.filter_patient_data`).
    reference : Study, optional
        The published study whose ids and layout are taken (default
        :func:`cratus.study.model.load_study`).

    Returns
    -------
    Study
    """
    from cratus.patient.summarize import to_study
    from cratus.study.model import load_study

    return to_study(read_data(files, mapping, filters), reference=reference if reference is not None else load_study())


def read_data(files, mapping: dict | None = None, filters: tuple = ()):
    """The :class:`~cratus.patient.PatientData` of :func:`open_study` (read, then filtered)."""
    from cratus.patient.model import read_patient_data

    if isinstance(files, dict):
        data = read_patient_data(*files.values(), names=list(files), mapping=dict(mapping or {}))
    else:
        data = read_patient_data(*[str(f) for f in files], mapping=dict(mapping or {}))
    if filters:
        from cratus.patient.subset import filter_patient_data

        data = filter_patient_data(data, tuple(filters))
    return data


def pick_from(value, key):
    """One step of a :class:`Call`'s ``pick``: a field of a typed value (a dataclass), else ``value[key]``."""
    return getattr(value, key) if dataclasses.is_dataclass(value) and isinstance(key, str) else value[key]


def _picks(call: "Call") -> str:
    """``.field[0][1]`` or ``["key"]``: the pick as code, a field by name where the function returns a dataclass."""
    try:
        returned = typing.get_type_hints(call.func).get("return")
    except Exception:  # noqa: BLE001 - a function without resolvable hints is read with [...]
        returned = None
    typed = isinstance(returned, type) and dataclasses.is_dataclass(returned)
    return "".join(f".{key}" if typed and i == 0 and isinstance(key, str) else f"[{literal(key)}]"
                   for i, key in enumerate(call.pick))


@dataclass(frozen=True)
class Call:
    """``func(study, *args, **kwargs)[pick...]``; an argument may itself be a :class:`Call` (run on the same study)."""

    func: object
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    pick: tuple = ()

    def run(self, study):
        """The value of this call on *study*."""
        args = [a.run(study) if isinstance(a, Call) else a for a in self.args]
        kwargs = {k: v.run(study) if isinstance(v, Call) else v for k, v in self.kwargs.items()}
        result = self.func(study, *args, **kwargs)
        for key in self.pick:
            result = pick_from(result, key)
        return result

    def functions(self) -> list:
        """Every function of this call and of the calls nested in it, outermost first."""
        nested = [a for a in (*self.args, *self.kwargs.values()) if isinstance(a, Call)]
        return [self.func, *(f for call in nested for f in call.functions())]


@dataclass(frozen=True)
class Recipe:
    """Where a patient-level study came from: files or the synthetic demo, the mapping, the subject filters.

    Attributes
    ----------
    files : tuple of str
        File names in the order read (empty for the synthetic demo).
    synthetic_seed : int or None
        The seed of :func:`~cratus.patient.synthetic.synthetic_files` when the data are the synthetic demo.
    synthetic_format : str
        Its format (``"adam"`` or ``"long"``).
    mapping : dict
        The mapping choices made (field → text; empty fields left out).
    filters : tuple
        Subject filters, ``((variable, levels), ...)``.
    """

    files: tuple = ()
    synthetic_seed: int | None = None
    synthetic_format: str = "adam"
    mapping: dict = field(default_factory=dict)
    filters: tuple = ()

    def __post_init__(self):
        object.__setattr__(self, "files", tuple(self.files))
        object.__setattr__(self, "mapping", {k: v for k, v in dict(self.mapping or {}).items() if v})
        object.__setattr__(self, "filters", tuple(self.filters))

    @property
    def synthetic(self) -> bool:
        return self.synthetic_seed is not None

    def with_filters(self, filters) -> "Recipe":
        """The same data with other subject filters."""
        return replace(self, filters=tuple(filters or ()))

    def sources(self):
        """The synthetic demo's files (name → bytes), or the file names to read from the working folder."""
        if self.synthetic:
            from cratus.patient.synthetic import synthetic_files

            return synthetic_files(self.synthetic_format, seed=self.synthetic_seed)
        return list(self.files)

    def open(self, files: dict | None = None, reference=None):
        """The study, exactly as the dashboard builds it.

        *files* (name → bytes) gives the uploaded files' contents; by default they are read from the working
        folder by name (or made, for the synthetic demo).
        """
        return open_study(files if files is not None else self.sources(), mapping=self.mapping,
                          filters=self.filters, reference=reference)

    def describe(self) -> str:
        """Where the data come from, in words: ``"files adsl.xpt, adae.xpt"`` or the synthetic demo."""
        if self.synthetic:
            return f"{SYNTHETIC_WORDS}, seed {self.synthetic_seed}"
        return "files " + ", ".join(self.files)

    def opening(self) -> list[str]:
        """The lines that open the study (imports and ``study = open_study(...)``)."""
        if self.synthetic:
            imports = ["from cratus.patient import open_study", "from cratus.patient.synthetic import synthetic_files"]
            source = f"synthetic_files({literal(self.synthetic_format)}, seed={self.synthetic_seed})"
        else:
            imports = ["from cratus.patient import open_study"]
            source = literal(list(self.files))
        options = "".join(f", {name}={literal(value)}" for name, value in
                          (("mapping", self.mapping), ("filters", self.filters)) if value)
        return imports + ["", *_wrap(f"study = open_study({source}{options})")]

    def code(self, func, args: tuple = (), kwargs: dict | None = None, pick: tuple = (), title: str = "",
             shows: str = "table") -> str:
        """Python that reproduces ``func(study, *args, **kwargs)`` (or the :class:`Call` *func*) from the same data.

        *title* names the output in the first line; *shows* (``"table"``, ``"figure"`` or ``""``) says how the
        last line shows the result.
        """
        call = func if isinstance(func, Call) else Call(func, tuple(args), dict(kwargs or {}), tuple(pick))
        where = (f"From {SYNTHETIC_WORDS}" if self.synthetic
                 else "From the files " + ", ".join(self.files) + ": run it in their folder")
        title = title or _words(call.func)
        header = f"# {title if len(title) <= 90 else title[:89] + '…'}\n# {where}, with cratus importable."
        opening = self.opening()
        names: dict[str, set] = {}
        for line in [o for o in opening if o.startswith("from ")]:
            module, name = line[len("from "):].split(" import ")
            names.setdefault(module, set()).add(name)
        expression = _expression(call)
        used = [t for t in _value_types(call) if f"{t.__name__}(" in expression]  # not those left out as defaults
        for func in [*call.functions(), *used]:
            names.setdefault(_public_module(func), set()).add(func.__name__)
        lines = [header, *(f"from {m} import {', '.join(sorted(n))}" for m, n in sorted(names.items()))]
        lines += [o for o in opening if not o.startswith("from ")]
        lines += _wrap(f"result = {expression}")
        lines += {"table": ["print(result.to_string(index=False))"], "figure": ["result.show()"]}.get(shows, [])
        return "\n".join(lines)


def describe_filters(filters) -> str:
    """Subject filters in words: ``(("sex", ("F",)), ("age", ("range", 60, 80)))`` → ``"sex: F; age: 60 to 80"``.

    Examples
    --------
    >>> describe_filters((("sex", ("F", "M")), ("age", ("range", 60, 80)))), describe_filters(())
    ('sex: F or M; age: 60 to 80', '')
    """
    words = []
    for variable, levels in filters or ():
        levels = tuple(levels)
        if levels[:1] == ("range",):
            words.append(f"{variable}: {levels[1]:g} to {levels[2]:g}")
        else:
            words.append(f"{variable}: " + " or ".join(str(level) for level in levels))
    return "; ".join(words)


def source_lines(study) -> dict[str, str]:
    """Where a patient-level study's numbers come from, in words: data (files), participants per arm, analysis
    population, subject filters, mapping choices (for reports; no patient's data)."""
    recipe = study.recipe
    files = study.fact("files")
    data = f"{recipe.describe()}: {files}" if recipe is not None and recipe.synthetic else f"files {files}"
    lines = {"Data": data, "Participants": f"{study.fact('participants')}: {study.fact('arms')}",
             "Analysis population": study.fact("population")}
    if recipe is None:  # how the study was made is not known: no claim about filters
        return lines
    lines["Subject filters"] = describe_filters(recipe.filters) or "none (every subject)"
    if recipe.mapping:
        lines["Mapping"] = "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in recipe.mapping.items())
    return lines


def _words(func) -> str:
    name = func.__name__.replace("_", " ")
    return name[:1].upper() + name[1:]


def _public_module(func) -> str:
    """The shortest module path that exports *func*, a function or class (``cratus.figures`` rather than
    ``cratus.figures.builders``)."""
    parts = func.__module__.split(".")
    for end in range(1, len(parts)):
        try:
            module = importlib.import_module(".".join(parts[:end]))
        except ImportError:
            continue
        if getattr(module, func.__name__, None) is func:
            return ".".join(parts[:end])
    return func.__module__


def _plain(value):
    """numpy scalars as Python numbers, so that their ``repr`` is a literal."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    return value


def literal(value) -> str:
    """A Python literal of *value*, strings in double quotes: ``("100M", "placebo")``.

    Examples
    --------
    >>> print(literal(("100M",)), literal(["it's", 'say "no"']), literal({"n": np.int64(3)}), literal(float("nan")))
    ("100M",) ["it's", 'say "no"'] {"n": 3} float("nan")
    """
    value = _plain(value)
    if isinstance(value, str):
        text = repr(value)
        return '"' + text[1:-1].replace('"', '\\"') + '"' if text.startswith("'") and '"' not in value else text
    if isinstance(value, tuple):
        inner = ", ".join(literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float) and not np.isfinite(value):
        return f'float("{value}")'
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _value_expression(value)
    return repr(value)


def _value_expression(value) -> str:
    """A small typed value as its constructor, fields equal to their defaults left out: ``Measure(metric="change")``."""
    given = [f"{f.name}={literal(getattr(value, f.name))}" for f in dataclasses.fields(value)
             if f.default is dataclasses.MISSING or not _is_default(getattr(value, f.name), f.default)]
    return f"{type(value).__name__}({', '.join(given)})"


def _value_types(call: Call) -> list:
    """The types of the small typed values among the arguments of *call* and of the calls nested in it."""
    found = []
    for a in (*call.args, *call.kwargs.values()):
        if isinstance(a, Call):
            found += _value_types(a)
        elif dataclasses.is_dataclass(a) and not isinstance(a, type):
            found.append(type(a))
    return found


def _defaults(func) -> dict:
    try:
        return {name: p.default for name, p in inspect.signature(func).parameters.items()
                if p.default is not inspect.Parameter.empty}
    except (TypeError, ValueError):
        return {}


def _is_default(value, default) -> bool:
    try:
        return type(value) is type(default) and bool(value == default)
    except (TypeError, ValueError):
        return False


def _expression(call: Call) -> str:
    """``func(study, 1, k=2)["key"]``, leaving out keyword arguments equal to their default."""
    defaults = _defaults(call.func)
    parts = ["study", *(_expression(a) if isinstance(a, Call) else literal(a) for a in call.args)]
    parts += [f"{k}={_expression(v) if isinstance(v, Call) else literal(v)}" for k, v in call.kwargs.items()
              if not (k in defaults and not isinstance(v, Call) and _is_default(v, defaults[k]))]
    return f"{call.func.__name__}({', '.join(parts)})" + _picks(call)


def _wrap(line: str) -> list[str]:
    """A long call broken after its opening parenthesis, one argument per line (top-level commas only)."""
    if len(line) <= _WIDTH or "(" not in line:
        return [line]
    start = line.index("(") + 1
    body, end = line[start:], len(line)
    depth, pieces, begin, quote = 0, [], 0, ""
    for i, char in enumerate(body):
        if quote:
            quote = "" if char == quote and body[i - 1] != "\\" else quote
        elif char in "\"'":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                end = start + i
                pieces.append(body[begin:i].strip())
                break
            depth -= 1
        elif char == "," and depth == 0:
            pieces.append(body[begin:i].strip())
            begin = i + 1
    pieces = [p for p in pieces if p]
    return [line[:start]] + [f"    {p}," for p in pieces] + [line[end:]]
