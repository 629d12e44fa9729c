"""The Python module gpugap against the CLI: same JSON for the same inputs, overrides,
errors with the CLI's message, DataFrames (docs/python.md)."""
import os
import subprocess
import sys

import pandas as pd
import pytest

import gpugap

PERF = dict(chip="nvidia-h20", model="deepseek-r1")


def test_readme_one_liner_prints_output_tps_per_chip(cli, tmp_path):
    # The README's command, from another folder: the catalog resolves as the CLI's does.
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(gpugap.__file__))))
    code = "import gpugap; print(gpugap.perf(chip='nvidia-h20', model='deepseek-r1')['output_tps_per_chip'])"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env, check=False)
    assert r.returncode == 0, r.stderr
    want = cli.json("perf", "--chip", "nvidia-h20", "--model", "deepseek-r1")["output_tps_per_chip"]
    assert float(r.stdout) == pytest.approx(want, rel=1e-12)
    assert want > 0


# Each function with the CLI command line it stands for: the whole JSON must be equal.
CASES = [
    ("perf", (), dict(PERF), ["perf", "--chip", "nvidia-h20", "--model", "deepseek-r1"]),
    ("perf", (), dict(PERF, batch=8, tp=8, kv_precision="fp8"),
     ["perf", "--chip", "nvidia-h20", "--model", "deepseek-r1", "--batch", "8", "--tp", "8", "--kv-precision", "fp8"]),
    ("search", (), dict(model="qwen3-32b", chips=["nvidia-h20", "huawei-ascend-910c"], top=2),
     ["search", "--model", "qwen3-32b", "--chips", "nvidia-h20,huawei-ascend-910c", "--top", "2"]),
    ("econ", (), dict(model="deepseek-r1", chips=["nvidia-h20", "huawei-ascend-910c"], no_frontier=True),
     ["econ", "--model", "deepseek-r1", "--chips", "nvidia-h20,huawei-ascend-910c", "--no-frontier"]),
    ("simulate", (), dict(PERF, requests=40, seed=3),
     ["simulate", "--chip", "nvidia-h20", "--model", "deepseek-r1", "--requests", "40", "--seed", "3"]),
    ("eval", ("market.tam_usd_bn.2030", "market.self_sufficiency.2030"), {},
     ["eval", "market.tam_usd_bn.2030", "market.self_sufficiency.2030"]),
    ("sensitivity", (), dict(metric="market.tam_usd_bn.2030", top=5),
     ["sensitivity", "--metric", "market.tam_usd_bn.2030", "--top", "5"]),
    ("mc", (), dict(metric=["market.tam_usd_bn.2030", "market.domestic_usd_bn.2030"], samples=2000, seed=7),
     ["mc", "--metric", "market.tam_usd_bn.2030", "market.domestic_usd_bn.2030", "--samples", "2000", "--seed", "7"]),
    ("market", (), {}, ["market"]),
    ("supply", (), dict(scenario="ms-2025-bear"), ["--scenario", "ms-2025-bear", "supply"]),
    ("score", (), dict(samples=0), ["score", "--samples", "0"]),
    ("compare", (), dict(scenarios=["ms-2025", "ms-2025-bear"], metric=["market.tam_usd_bn.2030"]),
     ["compare", "--scenarios", "ms-2025,ms-2025-bear", "--metric", "market.tam_usd_bn.2030"]),
    ("table2", (), dict(metric="market.self_sufficiency.2030",
                        vary=["supply.packaging.yield.2030=0.6,0.9", "market.imports.licensed_usd_bn.2030=0,12"]),
     ["table2", "--metric", "market.self_sufficiency.2030", "--vary", "supply.packaging.yield.2030=0.6,0.9",
      "--vary", "market.imports.licensed_usd_bn.2030=0,12"]),
]


@pytest.mark.parametrize("name,positional,options,argv", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_same_json_as_cli(cli, name, positional, options, argv):
    got = getattr(gpugap, name)(*positional, **options)
    assert isinstance(got, dict) and isinstance(got, gpugap.Result)
    assert got.command == name
    assert got == cli.json(*argv)


def test_perf_exposes_output_tps_per_chip_at_top_level():
    r = gpugap.perf(**PERF)
    assert r["output_tps_per_chip"] > 0
    assert r["feasible"] is True
    assert set(r["memory"]) >= {"used_gb", "capacity_gb"}


def test_overrides_dict_applied(cli):
    path, metric = "market.cloud_capex_usd_bn.2030", "market.tam_usd_bn.2030"
    base = gpugap.eval(metric)["metrics"][metric]
    r = gpugap.eval(metric, overrides={path: 200})
    assert r["overrides"] == [f"{path}=200"]
    assert r["metrics"][metric] != pytest.approx(base)
    assert r == cli.json("--set", f"{path}=200", "eval", metric)
    # A list of "PATH=VALUE" works as well.
    assert gpugap.eval(metric, overrides=[f"{path}=200"]) == r


def test_unknown_override_path_raises_with_cli_message(cli):
    with pytest.raises(gpugap.Error) as e:
        gpugap.eval("market.tam_usd_bn.2030", overrides={"market.cloud_capex_usd_bn.2O30": 1})
    r = cli.run("--set", "market.cloud_capex_usd_bn.2O30=1", "eval", "market.tam_usd_bn.2030")
    assert r.returncode == 2
    assert r.stderr == f"gpugap: {e.value}\n"


def test_bad_chip_raises_error_with_cli_message(cli):
    with pytest.raises(gpugap.Error) as e:
        gpugap.perf(chip="nvidia-h2O", model="deepseek-r1")
    assert "did you mean" in str(e.value)
    assert "nvidia-h20" in str(e.value)
    r = cli.run("perf", "--chip", "nvidia-h2O", "--model", "deepseek-r1")
    assert r.returncode == 2
    assert r.stderr == f"gpugap: {e.value}\n"


def test_bad_option_value_raises_error_with_cli_message(cli):
    with pytest.raises(gpugap.Error) as e:
        gpugap.perf(tp=-1, **PERF)
    r = cli.run("perf", "--chip", "nvidia-h20", "--model", "deepseek-r1", "--tp", "-1")
    assert r.returncode == 2
    assert r.stderr == f"gpugap: {e.value}\n"
    with pytest.raises(gpugap.Error, match="--model is required"):
        gpugap.perf(chip="nvidia-h20")


def test_calls_do_not_leak_options(cli):
    # Each call parses afresh: an option of one call is not the default of the next.
    assert gpugap.perf(batch=4, **PERF)["batch"] == 4
    assert gpugap.perf(**PERF) == cli.json("perf", "--chip", "nvidia-h20", "--model", "deepseek-r1")


def test_extra_catalog_folder(cli, tmp_path):
    scen = tmp_path / "scenarios"
    scen.mkdir()
    r = gpugap.eval("market.tam_usd_bn.2030", catalog=str(tmp_path))
    assert r == cli.json("--catalog", str(tmp_path), "eval", "market.tam_usd_bn.2030")


def test_frames():
    p = gpugap.perf(**PERF)
    f = p.table
    assert isinstance(f, pd.DataFrame)
    assert f.shape == (len(p["breakdown"]), 7)
    assert set(f.columns) == {"phase", "op", "time_ms", "gflop", "gb", "comm_gb", "bound"}
    assert f["time_ms"].tolist() == [op["time_ms"] for op in p["breakdown"]]

    e = gpugap.econ(model="deepseek-r1", chips=["nvidia-h20", "huawei-ascend-910c"], no_frontier=True)
    fe = e.table
    assert list(fe["chip"]) == [row["chip"] for row in e["rows"]]
    assert {"output_tps_per_chip", "usd_per_mtok_output", "deployment.tp"} <= set(fe.columns)
    assert fe["output_tps_per_chip"].tolist() == [row["output_tps_per_chip"] for row in e["rows"]]

    ev = gpugap.eval("market.tam_usd_bn.2030", "market.self_sufficiency.2030")
    assert ev.table.shape == (2, 2)
    assert list(ev.table.columns) == ["metric", "value"]
    assert dict(zip(ev.table["metric"], ev.table["value"])) == ev["metrics"]

    m = gpugap.mc(metric=["market.tam_usd_bn.2030"], samples=1000)
    fm = m.table
    assert list(fm.index) == ["market.tam_usd_bn.2030"]
    assert {"mean", "p5", "p50", "p95"} <= set(fm.columns)

    s = gpugap.simulate(requests=20, **PERF)
    assert list(s.table.index) == ["ttft_ms", "tpot_ms", "itl_ms", "e2e_ms"]
    assert set(s.table.columns) == {"mean", "p50", "p90", "p99"}
    assert s.table.loc["ttft_ms", "p90"] == s["ttft_ms"]["p90"]

    sc = gpugap.score(samples=0)
    assert sc.table.shape[0] == len(sc["vendors"])
    mk = gpugap.market()
    assert mk.table.shape[0] == len(mk["years"]) == 7
    assert mk.to_frame("valuation").shape[0] == len(mk["valuation"])
    with pytest.raises(KeyError):
        mk.to_frame("no-such-key")


def test_readme_python_session():
    # The README's Python session (the ```python block under "## Python"), run as a doctest.
    import doctest
    import pathlib

    readme = (pathlib.Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    part = readme.split("\n## Python\n", 1)
    assert len(part) == 2, "README.md has no '## Python' section"
    block = part[1].split("```python\n", 1)[1].split("\n```", 1)[0]
    test = doctest.DocTestParser().get_doctest(block, {}, "README.md", "README.md", 0)
    assert len(test.examples) >= 5
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
