"""Writes charts/easel/dashboards/*.json (Grafana dashboards) from the definitions below, with grafana-foundation-sdk's
builders; `--check` fails when a file differs from what this writes (`make check`).

Panels use only metrics the code registers, and the external ones of tests/chart/promql.py's EXTERNAL (the NVIDIA
DCGM exporter's); tests/chart/test_dashboards.py checks every expression against them and with promtool.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from grafana_foundation_sdk.builders import bargauge, common, prometheus, stat, timeseries
from grafana_foundation_sdk.builders import dashboard as dash
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.cog.plugins import register_default_plugins
from grafana_foundation_sdk.models.common import VizOrientation
from grafana_foundation_sdk.models.dashboard import Dashboard, DataSourceRef, VariableRefresh

OUT = Path(__file__).resolve().parents[1] / "charts" / "easel" / "dashboards"
DATASOURCE = DataSourceRef(type_val="prometheus", uid="${datasource}")
POOL = 'pool=~"$pool"'
TENANT = 'tenant=~"$tenant"'
RATE = "[$__rate_interval]"
# Every jobs service replica reports the same pool figures (it counts the database and hears every worker): take
# one, never the sum.
QUEUED = f'max by (pool) (easel_pool_jobs{{status="queued", {POOL}}})'
RUNNING = f'max by (pool) (sum without (status) (easel_pool_jobs{{status=~"starting|processing", {POOL}}}))'
# A worker pod's pool, as a factor of 1: joins metrics scraped from worker pods (or, for the DCGM exporter's, about
# them: it labels each GPU with the namespace and pod using it) to the pool the pod serves.
WORKER_POOL = f"group by (namespace, pod, pool) (easel_worker_busy{{{POOL}}})"
DCGM_NOTE = ("From the NVIDIA DCGM exporter, joined to Easel's worker pods on namespace and pod: its scrape must keep "
             "the pod labels the exporter sets (honorLabels: true on its ServiceMonitor).")


def query(expr: str, legend: str, *, instant: bool = False) -> prometheus.Dataquery:
    q = prometheus.Dataquery().expr(expr).legend_format(legend).datasource(DATASOURCE)
    return q.instant() if instant else q


def series(title: str, unit: str, *queries: prometheus.Dataquery, width: int = 12,
           description: str = "") -> timeseries.Panel:
    panel = timeseries.Panel().title(title).unit(unit).datasource(DATASOURCE).height(8).span(width)
    if description:
        panel = panel.description(description)
    for q in queries:
        panel = panel.with_target(q)
    return panel


def figure(title: str, unit: str, expr: str, *, width: int = 4, description: str = "") -> stat.Panel:
    """A single figure: the last value of one expression."""
    panel = (stat.Panel().title(title).unit(unit).datasource(DATASOURCE).height(5).span(width)
             .reduce_options(common.ReduceDataOptions().calcs(["lastNotNull"]).values(False))
             .with_target(query(expr, title)))
    return panel.description(description) if description else panel


def quantiles(metric: str, by: str, where: str = POOL) -> list[prometheus.Dataquery]:
    """p50 and p95 of a histogram, per `by`."""
    selector = f"{{{where}}}" if where else ""
    return [query(f"histogram_quantile({q}, sum by (le, {by}) (rate({metric}_bucket{selector}{RATE})))",
                  f"p{int(q * 100)} {{{{{by}}}}}") for q in (0.5, 0.95)]


def share(part: str, whole: str) -> str:
    """part / whole, each a rate summed by pool."""
    return f"sum by (pool) (rate({part}{RATE})) / sum by (pool) (rate({whole}{RATE}))"


def joined(expr: str) -> str:
    """A per-pod expression of worker pods, labelled with each pod's pool (and only for the chosen pools)."""
    return f"({expr}) * on (namespace, pod) group_left (pool) {WORKER_POOL}"


def worker_outcomes(width: int) -> timeseries.Panel:
    return series("Worker job outcomes", "ops", query(
        f"sum by (pool, outcome) (rate(easel_worker_jobs_total{{{POOL}}}{RATE}))", "{{pool}} {{outcome}}"), width=width)


def board(title: str, uid: str, *variables: dash.QueryVariable) -> dash.Dashboard:
    built = (dash.Dashboard(title).uid(uid).tags(["easel"]).refresh("30s").time("now-6h", "now")
             .with_variable(dash.DatasourceVariable("datasource").label("Prometheus").type("prometheus")))
    for variable in variables:
        built = built.with_variable(variable)
    return built


def label_variable(name: str, label: str, metric: str) -> dash.QueryVariable:
    return (dash.QueryVariable(name).label(label).datasource(DATASOURCE).query(f"label_values({metric}, {name})")
            .refresh(VariableRefresh.ON_TIME_RANGE_CHANGED).multi(True).include_all(True).all_value(".*"))


def overview() -> dash.Dashboard:
    jobs = "easel_jobs_total"
    finished = f'{jobs}{{status=~"succeeded|failed", {POOL}}}'
    return (
        board("Easel overview", "easel-overview", label_variable("pool", "Pool", jobs))
        .with_row(dash.Row("Jobs"))
        .with_panel(figure("Jobs per minute", "short", f'sum(rate({jobs}{{status="queued", {POOL}}}[5m])) * 60',
                           description="Jobs submitted, over the last 5 minutes."))
        .with_panel(figure("Images per minute", "short",
                           f"sum(rate(easel_images_generated_total{{{POOL}}}[5m])) * 60",
                           description="Images of succeeded jobs, over the last 5 minutes."))
        .with_panel(figure("Failed share", "percentunit",
                           f'sum(rate({jobs}{{status="failed", {POOL}}}[15m])) / sum(rate({finished}[15m]))',
                           description="Failed jobs among those that ended, over the last 15 minutes."))
        .with_panel(figure("Queued now", "short", f"sum({QUEUED})"))
        .with_panel(figure("Oldest queued job", "s", f"max(easel_pool_oldest_queued_seconds{{{POOL}}})"))
        .with_panel(figure("Workers", "short", f"sum(max by (pool, state) (easel_pool_workers{{{POOL}}}))"))
        .with_panel(series("Jobs per second, by status", "ops",
                           query(f"sum by (status) (rate({jobs}{{{POOL}}}{RATE}))", "{{status}}")))
        .with_panel(series("Error rate: failed share of ended jobs, by pool", "percentunit",
                           query(share(f'{jobs}{{status="failed", {POOL}}}', finished), "{{pool}}")))
        .with_row(dash.Row("Queue"))
        .with_panel(series("Queue depth, by pool", "short", query(QUEUED, "{{pool}} queued"),
                           query(RUNNING, "{{pool}} running")))
        .with_panel(series("Oldest queued job, by pool", "s",
                           query(f"max by (pool) (easel_pool_oldest_queued_seconds{{{POOL}}})", "{{pool}}")))
        .with_panel(series("Queue wait (submitted to started)", "s",
                           *quantiles("easel_job_queue_wait_seconds", "pool")))
        .with_panel(series("Job latency (submitted to images ready)", "s",
                           *quantiles("easel_job_latency_seconds", "pool")))
        .with_panel(series("Dispatch: to a worker's own queue or the pool's", "ops",
                           query(f"sum by (pool, route) (rate(easel_jobs_routed_total{{{POOL}}}{RATE}))",
                                 "{{pool}} {{route}}"),
                           query(f"sum by (pool, reason) (rate(easel_jobs_rerouted_total{{{POOL}}}{RATE}))",
                                 "{{pool}} rerouted: {{reason}}"),
                           width=24))
        .with_row(dash.Row("Workers"))
        .with_panel(series("Workers, by pool and state", "short",
                           query(f"max by (pool, state) (easel_pool_workers{{{POOL}}})", "{{pool}} {{state}}")))
        .with_panel(worker_outcomes(width=12))
        .with_row(dash.Row("Gateway"))
        .with_panel(series("Requests per second, by status", "reqps",
                           query(f"sum by (status) (rate(easel_http_request_duration_seconds_count{RATE}))",
                                 "{{status}}"), width=8))
        .with_panel(series("Request latency, by route", "s",
                           *quantiles("easel_http_request_duration_seconds", "route", where=""), width=8))
        .with_panel(series("Refused by a limit (429, overload 503), by code", "reqps",
                           query(f"sum by (code) (rate(easel_gateway_rejections_total{RATE}))", "{{code}}"),
                           width=8))
        .with_row(dash.Row("Model imports"))
        .with_panel(series("Imports ended, by source and outcome", "ops",
                           query(f"sum by (source, outcome) (rate(easel_registry_imports_total{RATE}))",
                                 "{{source}} {{outcome}}")))
        .with_panel(series("Import time to ready", "s", *quantiles("easel_registry_import_seconds", "source",
                                                                   where="")))
    )


def gpu_pools() -> dash.Dashboard:
    workers = f"easel_pool_workers{{{POOL}}}"
    hits, misses = "easel_worker_model_cache_hits_total", "easel_worker_model_cache_misses_total"
    used, free = "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE"
    return (
        board("Easel GPU pools", "easel-gpu-pools", label_variable("pool", "Pool", "easel_pool_workers"))
        .with_row(dash.Row("Workers"))
        .with_panel(series("Workers, by pool: idle and busy", "short",
                           query(f"max by (pool, state) ({workers})", "{{pool}} {{state}}")))
        .with_panel(series("Busy share of workers, by pool", "percentunit",
                           query(f'max by (pool) (easel_pool_workers{{state="busy", {POOL}}}) '
                                 f"/ sum by (pool) (max by (pool, state) ({workers}))", "{{pool}}")))
        .with_row(dash.Row("GPUs"))
        .with_panel(series("GPU utilisation, by pool", "percent",
                           query(f"avg by (pool) ({joined('DCGM_FI_DEV_GPU_UTIL')})", "{{pool}}"),
                           description=DCGM_NOTE))
        .with_panel(series("GPU utilisation, by worker", "percent",
                           query(joined("DCGM_FI_DEV_GPU_UTIL"), "{{pool}} {{pod}}"), description=DCGM_NOTE))
        .with_panel(series("GPU memory used, by pool", "percentunit",
                           query(f"sum by (pool) ({joined(used)}) / sum by (pool) ({joined(f'{used} + {free}')})",
                                 "{{pool}}"), description=DCGM_NOTE))
        .with_panel(series("GPU memory used, by worker", "decmbytes",
                           query(joined(used), "{{pool}} {{pod}}"), description=DCGM_NOTE))
        .with_row(dash.Row("Generation"))
        .with_panel(series("Denoising steps per second (last job of each worker)", "short",
                           query(f"avg by (pool) (easel_worker_steps_per_second{{{POOL}}})", "{{pool}} mean"),
                           query(f"min by (pool) (easel_worker_steps_per_second{{{POOL}}})", "{{pool}} slowest"),
                           width=8))
        .with_panel(series("Generation time per job", "s", *quantiles("easel_worker_generation_seconds", "pool"),
                           width=8))
        .with_panel(worker_outcomes(width=8))
        .with_row(dash.Row("Models"))
        .with_panel(series("Model cache hit rate, by pool", "percentunit",
                           query(f"sum by (pool) ({joined(f'rate({hits}{RATE})')}) / (sum by (pool) "
                                 f"({joined(f'rate({hits}{RATE})')}) + sum by (pool) "
                                 f"({joined(f'rate({misses}{RATE})')}))", "{{pool}}"), width=8,
                           description="Models found complete in a worker's disk cache, among those it needed."))
        .with_panel(series("Model load time", "s", *quantiles("easel_worker_model_load_seconds", "pool"), width=8))
        .with_panel(series("Model downloads and evictions", "Bps",
                           query(f"sum by (pool) ({joined(f'rate(easel_worker_model_bytes_downloaded_total{RATE})')})",
                                 "{{pool}} downloaded"),
                           query(f"sum by (pool) ({joined(f'rate(easel_worker_model_cache_evictions_total{RATE})')})",
                                 "{{pool}} evictions/s"), width=8))
    )


def tenancy() -> dash.Dashboard:
    tenant_jobs = "easel_tenant_jobs_total"
    gpu = f"easel_tenant_gpu_seconds_total{{{TENANT}}}"
    return (
        board("Easel tenancy", "easel-tenancy", label_variable("tenant", "Tenant", tenant_jobs))
        .with_row(dash.Row("Use"))
        .with_panel(series("Jobs submitted per second, by tenant", "ops",
                           query(f'sum by (tenant) (rate({tenant_jobs}{{status="queued", {TENANT}}}{RATE}))',
                                 "{{tenant}}")))
        .with_panel(series("Jobs ended per second, by tenant and outcome", "ops",
                           query(f'sum by (tenant, status) (rate({tenant_jobs}{{status=~"succeeded|failed|canceled", '
                                 f"{TENANT}}}{RATE}))", "{{tenant}} {{status}}")))
        .with_panel(series("GPUs busy, by tenant (GPU-seconds per second)", "short",
                           query(f"sum by (tenant) (rate({gpu}{RATE}))", "{{tenant}}"),
                           description="Worker time of each tenant's succeeded jobs: model loading and generation."))
        .with_panel(bargauge.Panel().title("GPU time over the dashboard's range, by tenant").unit("s")
                    .datasource(DATASOURCE).height(8).span(12).orientation(VizOrientation.HORIZONTAL)
                    .with_target(query(f"sort_desc(sum by (tenant) (increase({gpu}[$__range])))", "{{tenant}}",
                                       instant=True)))
        .with_panel(series("Images per minute, by tenant", "short",
                           query(f"sum by (tenant) (rate(easel_images_generated_total{{{TENANT}}}{RATE})) * 60",
                                 "{{tenant}}"), width=24))
        .with_row(dash.Row("Limits and sign-ins"))
        .with_panel(series("Quota and rate-limit rejections (429), by tenant and limit", "reqps",
                           query("sum by (tenant, code, limit) (rate(easel_gateway_rejections_total"
                                 f'{{code=~"quota_exceeded|rate_limited", {TENANT}}}{RATE}))',
                                 "{{tenant}} {{code}} {{limit}}"),
                           description="The limit is the quota a request was over (details.limit of the 429)."))
        .with_panel(series("Open event streams (SSE), by tenant", "short",
                           query(f"sum by (tenant) (easel_gateway_event_streams{{{TENANT}}})", "{{tenant}}")))
        .with_panel(series("Password sign-ins per second, by outcome", "ops",
                           query(f"sum by (outcome) (rate(easel_auth_logins_total{RATE}))", "{{outcome}}"),
                           width=24, description="All tenants: locked is a username or address locked after "
                                                 "repeated wrong passwords (429 too_many_attempts)."))
    )


DASHBOARDS = {"overview": overview, "gpu-pools": gpu_pools, "tenancy": tenancy}


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
