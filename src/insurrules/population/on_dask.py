"""Populations larger than one machine: the same evaluation on a Dask cluster.

A dataset partitioned by person is a directory of parts, each a complete population directory
(``persons.parquet`` and the records of exactly those persons)::

    dataset/part-00000/persons.parquet, payments.parquet, memberships.parquet, ...
    dataset/part-00001/...

[`write_partitioned`][insurrules.population.on_dask.write_partitioned] writes one from a
[`Population`][insurrules.population.kz.tables.Population]; any pipeline that keeps every record
with its person's part works. [`evaluate_dask`][insurrules.population.on_dask.evaluate_dask]
evaluates every part with ``map_partitions`` (each part through
[`insurrules.population.evaluate`][insurrules.population.evaluation.evaluate], the same law) and
returns the rows in part order — identical to ``evaluate()`` on the whole population — or writes
them to Parquet.

Needs the ``dask`` extra (``pip install insurrules[dask]``). On an existing cluster::

    from distributed import Client
    from insurrules.population import evaluate_dask

    client = Client("tcp://scheduler.example:8786")   # workers need insurrules[dask]
    result = evaluate_dask("s3://bucket/kz-2026/", "2026-03-15", client=client)
    # or, for results too large for the client: write them next to the data
    evaluate_dask("s3://bucket/kz-2026/", "2026-03-15", client=client,
                  out="s3://bucket/kz-2026-result/")

On this machine, [`local_cluster`][insurrules.population.on_dask.local_cluster] starts a
``LocalCluster`` that listens on ``127.0.0.1`` only (Dask's default is every interface).

Paths are local or any fsspec URL the workers can read. Rules (e.g. a reform) are sent to the
workers with the task: ``evaluate_dask(path, as_of, rules=Reform.from_file(...).apply())``.
"""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from insurrules.parameters import RuleSet
from insurrules.population.evaluation import evaluate
from insurrules.population.kz.tables import TABLES, Population, PopulationError
from insurrules.population.tableset import RESULT_COLUMNS

if TYPE_CHECKING:
    from insurrules.population.vn.tables import VnPopulation

__all__ = ["LOOPBACK", "evaluate_dask", "local_cluster", "write_partitioned"]

#: where a cluster started on this machine listens unless told otherwise: this machine only
LOOPBACK = "127.0.0.1"


def local_cluster(**options: Any) -> Any:
    """A ``distributed.LocalCluster`` that listens on ``127.0.0.1`` only, not on every interface.

    Dask's own default binds the scheduler, the workers and their HTTP servers (dashboard,
    metrics) to ``0.0.0.0``, reachable from the network. Here the scheduler and workers speak
    TCP on the loopback address and the dashboard is off unless asked for; pass ``host=``,
    ``dashboard_address=`` (``":8787"`` is put on the loopback address too) or any other
    ``LocalCluster`` option to choose otherwise.

    >>> cluster = local_cluster(n_workers=1, threads_per_worker=1, processes=False)
    >>> cluster.scheduler_address.startswith("tcp://127.0.0.1:")
    True
    >>> cluster.close()
    """
    distributed = importlib.import_module("distributed")
    options.setdefault("host", LOOPBACK)
    options.setdefault("protocol", "tcp://")
    dashboard = options.setdefault("dashboard_address", None)
    if isinstance(dashboard, str) and dashboard.startswith(":"):
        options["dashboard_address"] = f"{LOOPBACK}{dashboard}"
    return distributed.LocalCluster(**options)


#: the result schema of ``evaluate()``, restored after the trip through pandas
_SCHEMA = {
    "id": pl.String,
    "status": pl.String,
    "basis": pl.String,
    "state_category": pl.String,
    "budget": pl.String,
    "grace_months": pl.Int64,
    "insured_from": pl.Date,
    "insured_until": pl.Date,
    "renew_by": pl.Date,
    "error": pl.String,
}


def write_partitioned(
    population: Population | VnPopulation, directory: str | Path, partitions: int
) -> Path:
    """Write ``population`` as ``partitions`` parts of consecutive persons (input order kept)."""
    if partitions < 1:
        raise ValueError(f"partitions must be at least 1, got {partitions}")
    root = Path(directory)
    n = len(population)
    size = -(-n // partitions) if n else 1
    ids = population.persons["id"]
    for k in range(partitions):
        part_ids = ids.slice(k * size, size)
        if part_ids.len() == 0 and k > 0:
            break
        population.take(part_ids.to_list()).to_parquet(root / f"part-{k:05d}")
    return root


def _parts(path: str) -> list[str]:
    fsspec = importlib.import_module("fsspec")  # a dask dependency, untyped
    fs, root = fsspec.core.url_to_fs(path)
    found: list[str] = sorted(
        p.rsplit("/", 1)[0] for p in fs.glob(f"{root.rstrip('/')}/*/persons.parquet")
    )
    if not found:
        raise PopulationError([f"{path}: no parts (expected <path>/<part>/persons.parquet)"])
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    return found if protocol in ("file", "local") else [f"{protocol}://{p}" for p in found]


def _read_part(part: str, scheme: str) -> Population | VnPopulation:
    from insurrules.population.vn.tables import VN_TABLES, VnPopulation

    frames: dict[str, Any] = {}
    for name in VN_TABLES if scheme == "vn-bhyt" else TABLES:
        try:
            frames[name] = pl.read_parquet(f"{part}/{name}.parquet")
        except FileNotFoundError:
            if name == "persons":
                raise
    if scheme == "vn-bhyt":
        return VnPopulation.from_frames(**frames)
    return Population.from_frames(**frames)


def _evaluate_parts(chunk: Any, as_of: dt.date, rules: RuleSet | None, scheme: str) -> Any:
    results = [evaluate(_read_part(part, scheme), as_of, rules) for part in chunk["part"]]
    out = pl.concat(results) if results else pl.DataFrame(schema=_SCHEMA)
    return out.to_pandas(use_pyarrow_extension_array=True)


def evaluate_dask(
    path: str | Path,
    as_of: dt.date | str,
    rules: RuleSet | None = None,
    client: Any = None,
    *,
    out: str | Path | None = None,
    scheme: str | None = None,
) -> pl.DataFrame | str:
    """Evaluate a dataset partitioned by person (see the module docstring) on Dask.

    Each part is evaluated by ``map_partitions`` through
    [`evaluate`][insurrules.population.evaluation.evaluate]; the result equals ``evaluate()`` on the
    whole population, rows in part order. With ``out``, the result is written there as Parquet by
    the workers and ``out`` is returned. ``client``: a ``distributed.Client`` (default: the current
    client, else Dask's local scheduler). ``scheme``: ``kz-osms`` or ``vn-bhyt`` parts (default: the
    rules' scheme, else kz-osms); vn-bhyt parts are
    [`VnPopulation`][insurrules.population.vn.tables.VnPopulation] tables, evaluated by the vn
    card-chain engine part by part (a person's records stay in one part).
    """
    dd = importlib.import_module("dask.dataframe")
    pd = importlib.import_module("pandas")

    day = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of))
    parts = _parts(str(path))
    table = pd.DataFrame({"part": parts})
    frame = dd.from_pandas(table, npartitions=len(parts), sort=False)
    meta = pl.DataFrame(schema=_SCHEMA).to_pandas(use_pyarrow_extension_array=True)
    kind = scheme or (rules.scheme if rules is not None else "kz-osms")
    if kind not in ("kz-osms", "vn-bhyt"):
        raise PopulationError([f"scheme: expected kz-osms or vn-bhyt, got {kind!r}"])
    if rules is not None and rules.scheme != kind:
        raise PopulationError([f"rules: the rules are for {rules.scheme}, the parts are {kind}"])
    result = frame.map_partitions(_evaluate_parts, day, rules, kind, meta=meta)
    if out is not None:
        job = result.to_parquet(str(out), compute=False, write_index=False)
        if client is not None:
            client.compute(job).result()
        else:
            job.compute()
        return str(out)
    computed = client.compute(result).result() if client is not None else result.compute()
    back = pl.from_pandas(computed.reset_index(drop=True))
    return back.select(pl.col(c).cast(t) for c, t in _SCHEMA.items()).select(RESULT_COLUMNS)
