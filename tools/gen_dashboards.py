"""Writes charts/easel/dashboards/*.json (Grafana dashboards) from the definitions below, with grafana-foundation-sdk's
builders; `--check` fails when a file differs from what this writes (`make check`).

Panels use only metrics the code registers; tests/chart/test_dashboards.py checks every expression against them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from grafana_foundation_sdk.builders import dashboard as dash
from grafana_foundation_sdk.builders import prometheus, stat, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.cog.plugins import register_default_plugins
from grafana_foundation_sdk.models.dashboard import Dashboard, DataSourceRef, VariableRefresh

OUT = Path(__file__).resolve().parents[1] / "charts" / "easel" / "dashboards"
DATASOURCE = DataSourceRef(type_val="prometheus", uid="${datasource}")
POOL = 'pool=~"$pool"'
RATE = "[$__rate_interval]"


def query(expr: str, legend: str) -> prometheus.Dataquery:
    return prometheus.Dataquery().expr(expr).legend_format(legend).datasource(DATASOURCE)


def series(title: str, unit: str, *queries: prometheus.Dataquery, width: int = 12) -> timeseries.Panel:
    panel = timeseries.Panel().title(title).unit(unit).datasource(DATASOURCE).height(8).span(width)
    for q in queries:
        panel = panel.with_target(q)
    return panel


def quantiles(metric: str, by: str, where: str = POOL) -> list[prometheus.Dataquery]:
    """p50 and p95 of a histogram, per `by`."""
    selector = f"{{{where}}}" if where else ""
    return [query(f"histogram_quantile({q}, sum by (le, {by}) (rate({metric}_bucket{selector}{RATE})))",
                  f"p{int(q * 100)} {{{{{by}}}}}") for q in (0.5, 0.95)]


def overview() -> dash.Dashboard:
    jobs = "easel_jobs_total"
    hits, misses = "easel_worker_model_cache_hits_total", "easel_worker_model_cache_misses_total"
    return (
        dash.Dashboard("Easel overview").uid("easel-overview").tags(["easel"]).refresh("30s").time("now-6h", "now")
        .with_variable(dash.DatasourceVariable("datasource").label("Prometheus").type("prometheus"))
        .with_variable(dash.QueryVariable("pool").label("Pool").datasource(DATASOURCE)
                       .query(f"label_values({jobs}, pool)").refresh(VariableRefresh.ON_TIME_RANGE_CHANGED)
                       .multi(True).include_all(True).all_value(".*"))
        .with_row(dash.Row("Jobs"))
        .with_panel(stat.Panel().title("Jobs per minute").unit("short").datasource(DATASOURCE).height(8).span(4)
                    .with_target(query(f'sum(rate({jobs}{{status="queued", {POOL}}}[5m])) * 60', "submitted")))
        .with_panel(series("Jobs per second, by status", "ops",
                           query(f"sum by (status) (rate({jobs}{{{POOL}}}{RATE}))", "{{status}}"), width=10))
        .with_panel(series("Failed jobs per second, by pool", "ops",
                           query(f'sum by (pool) (rate({jobs}{{status="failed", {POOL}}}{RATE}))', "{{pool}}"),
                           width=10))
        .with_row(dash.Row("Queue"))
        .with_panel(series("Queue wait (submitted to started)", "s",
                           *quantiles("easel_job_queue_wait_seconds", "pool")))
        .with_panel(series("Dispatch: to a worker's own queue or the pool's", "ops",
                           query(f"sum by (pool, route) (rate(easel_jobs_routed_total{{{POOL}}}{RATE}))",
                                 "{{pool}} {{route}}"),
                           query(f"sum by (pool, reason) (rate(easel_jobs_rerouted_total{{{POOL}}}{RATE}))",
                                 "{{pool}} rerouted: {{reason}}")))
        .with_row(dash.Row("Workers"))
        .with_panel(series("Workers and busy workers, by pool", "short",
                           query(f"count by (pool) (easel_worker_busy{{{POOL}}})", "{{pool}} workers"),
                           query(f"sum by (pool) (easel_worker_busy{{{POOL}}})", "{{pool}} busy")))
        .with_panel(series("Generation time per job", "s", *quantiles("easel_worker_generation_seconds", "pool")))
        .with_panel(series("Denoising steps per second", "short",
                           query(f"avg by (pool) (easel_worker_steps_per_second{{{POOL}}})", "{{pool}}")))
        .with_panel(series("Worker job outcomes", "ops",
                           query(f"sum by (pool, outcome) (rate(easel_worker_jobs_total{{{POOL}}}{RATE}))",
                                 "{{pool}} {{outcome}}")))
        .with_panel(series("Model cache hit rate", "percentunit",
                           query(f"sum(rate({hits}{RATE})) / (sum(rate({hits}{RATE})) + sum(rate({misses}{RATE})))",
                                 "hit rate")))
        .with_panel(series("Model load time", "s", *quantiles("easel_worker_model_load_seconds", "kind")))
        .with_row(dash.Row("Gateway"))
        .with_panel(series("Requests per second, by status", "reqps",
                           query(f"sum by (status) (rate(easel_http_request_duration_seconds_count{RATE}))",
                                 "{{status}}")))
        .with_panel(series("Request latency, by route", "s",
                           *quantiles("easel_http_request_duration_seconds", "route", where="")))
    )


DASHBOARDS = {"overview": overview}


def render(name: str) -> str:
    register_default_plugins()
    built = json.loads(JSONEncoder().encode(DASHBOARDS[name]().build()))
    for number, panel in enumerate(built["panels"], start=1):  # Grafana keys panel state by a unique id
        panel["id"] = number
    # written as the SDK reads it back, so the file is a fixed point of parsing and encoding
    model = json.loads(JSONEncoder().encode(Dashboard.from_json(built)))
    return json.dumps(model, indent=2, sort_keys=True) + "\n"


def main() -> None:
    check = "--check" in sys.argv[1:]
    stale = []
    for name in DASHBOARDS:
        path, text = OUT / f"{name}.json", render(name)
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path))
        else:
            path.write_text(text)
    if stale:
        sys.exit(f"out of date (run `make gen`): {', '.join(stale)}")


if __name__ == "__main__":
    main()
