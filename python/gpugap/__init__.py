"""gpugap's commands as Python functions (docs/python.md).

Each function runs the command of the same name in this process (the library behind the
CLI, never the executable) and returns the JSON that `gpugap CMD --format json` prints,
as Python objects: a `Result`, a dict with `.table` and `.to_frame(key)` for pandas.

    import gpugap
    r = gpugap.perf(chip="nvidia-h20", model="deepseek-r1", batch=32)
    r["output_tps_per_chip"]
    r.table                      # the per-operator breakdown as a DataFrame

Options are the CLI's: `ttft_ms=50` is `--ttft-ms 50`, `pareto=True` is `--pareto`, a list
repeats the option (or joins it with commas where the CLI takes one comma-separated value).
Every function also takes the global options: `catalog` (a folder or a list of them),
`scenario`, `overrides` (a dict {PATH: VALUE}, each a `--set PATH=VALUE`), `threads` and
`quiet` (default True: no progress lines). Bad input raises `gpugap.Error` with the message
the CLI prints after "gpugap: " when it exits with status 2.
"""

import json as _json

from . import _gpugap

__all__ = ["Error", "InternalError", "Result", "to_frame", "run", "perf", "search", "econ", "simulate", "eval",
           "sensitivity", "mc", "market", "supply", "score", "compare", "table2"]


class Error(Exception):
    """Bad input (unknown id or path, bad value, infeasible request): the CLI's exit status 2."""


class InternalError(RuntimeError):
    """A bug in gpugap: the CLI's exit status 70."""


# The table each command's Result.table shows: the key of its JSON that holds it.
_TABLES = {
    "perf": "breakdown",
    "search": "rows",
    "econ": "rows",
    "simulate": ("ttft_ms", "tpot_ms", "itl_ms", "e2e_ms"),
    "eval": "metrics",
    "sensitivity": "rows",
    "mc": "metrics",
    "market": "years",
    "supply": "years",
    "score": "vendors",
    "compare": "rows",
}


def to_frame(data, key=None):
    """A pandas DataFrame of one table in a result.

    `data` is a Result (its command's table when `key` is None) or any dict; `key` names the
    part to tabulate. A list of objects gives a row each (nested objects become dotted
    columns: "deployment.tp"); an object of objects a row per key (the index); an object of
    numbers two columns, "metric" and "value"; a tuple of keys a row per key.
    """
    import pandas as pd

    if key is None:
        key = _TABLES.get(getattr(data, "command", None))
        if key is None:
            raise KeyError("to_frame: name the key of the table (this result has no default one)")
    if isinstance(key, tuple):
        part = {k: data[k] for k in key}
    else:
        if key not in data:
            raise KeyError(f"to_frame: no key '{key}' in this result (keys: {', '.join(data)})")
        part = data[key]
    if isinstance(part, list):
        return pd.json_normalize(part)
    if isinstance(part, dict) and part and all(isinstance(v, dict) for v in part.values()):
        frame = pd.json_normalize(list(part.values()))
        frame.index = list(part.keys())
        return frame
    if isinstance(part, dict):
        return pd.DataFrame({"metric": list(part.keys()), "value": list(part.values())})
    raise ValueError(f"to_frame: '{key}' holds no table")


class Result(dict):
    """The command's JSON as a dict, plus the command's table as a DataFrame."""

    def __init__(self, command, data):
        super().__init__(data)
        self.command = command

    @property
    def table(self):
        """The command's main table (docs/python.md lists which) as a DataFrame."""
        return to_frame(self)

    def to_frame(self, key=None):
        return to_frame(self, key)


def _words(command, positional, options):
    arity = _gpugap.options(command)
    words = []
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        kind = arity.get(flag[2:])
        if value is None or value is False:
            continue
        if kind == "flag" or value is True:
            words.append(flag)
            continue
        values = list(value) if isinstance(value, (list, tuple)) else [value]
        if kind == "one" and len(values) > 1:
            values = [",".join(str(v) for v in values)]
        for v in values:
            words += [flag, str(v)]
    return command.split() + words + [str(p) for p in positional]


def run(command, *positional, catalog=None, scenario=None, overrides=None, threads=None, quiet=True, **options):
    """Runs any command ("perf", "catalog list", ...) and returns its Result."""
    globals_ = []
    for folder in [catalog] if isinstance(catalog, str) else (catalog or []):
        globals_ += ["--catalog", str(folder)]
    if scenario is not None:
        globals_ += ["--scenario", str(scenario)]
    items = overrides.items() if isinstance(overrides, dict) else [tuple(o.split("=", 1)) for o in overrides or []]
    for path, value in items:
        globals_ += ["--set", f"{path}={value}"]
    if threads is not None:
        globals_ += ["--threads", str(threads)]
    if quiet:
        globals_.append("--quiet")
    status, payload = _gpugap.run(globals_ + _words(command, positional, options))
    if status == 2:
        raise Error(payload)
    if status != 0:
        raise InternalError(payload)
    return Result(command, _json.loads(payload))


def _command(name, doc):
    def command(*positional, **options):
        return run(name, *positional, **options)

    command.__name__ = command.__qualname__ = name
    command.__doc__ = doc
    return command


perf = _command("perf", "`gpugap perf`: one deployment of a model on a chip (chip=, model=, batch=, tp=, ...).")
search = _command("search", "`gpugap search`: the best deployment per chip (model=, chips=[...], top=, pareto=True, ...).")
econ = _command("econ", "`gpugap econ`: token economics per chip (model=, chips=[...], region=, workload=).")
simulate = _command("simulate", "`gpugap simulate`: a benchmark run on one deployment (chip=, model=, requests=, ...).")
eval = _command("eval", "`gpugap eval PATH...`: metrics by path (the paths positional).")  # noqa: A001 (the CLI's name)
sensitivity = _command("sensitivity", "`gpugap sensitivity`: one-at-a-time swings (metric=, swing=, top=).")
mc = _command("mc", "`gpugap mc`: Monte Carlo (metric=[...], samples=, seed=).")
market = _command("market", "`gpugap market`: capex -> TAM -> self-sufficiency -> domestic market, per year.")
supply = _command("supply", "`gpugap supply`: wafers -> chips per year, node and vendor.")
score = _command("score", "`gpugap score`: the vendor scorecard (samples=, seed=, reference=, model=).")
compare = _command("compare", "`gpugap compare`: metrics under several scenarios (scenarios=[...], metric=[...]).")
table2 = _command("table2", "`gpugap table2`: one metric over one or two parameters' values (metric=, vary=[...]).")
