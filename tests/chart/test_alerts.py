"""The chart's PrometheusRule: Easel's alerts pass `promtool check rules`, each fires on the trouble it names and
only then (`promtool test rules` with alerts_test.yaml), its thresholds are values, and it asks only for metrics the
code registers (or the listed external ones)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from chart_helpers import CI_VALUES, HelmFailed
from promql import EXTERNAL, metric_names, promtool, registered_series

MINIMAL = next(p for p in CI_VALUES if p.stem == "minimal-values")
UNIT_TESTS = Path(__file__).with_name("alerts_test.yaml")
ALERTS = {"EaselQueueWaitHigh", "EaselJobsFailing", "EaselWorkerCrashLooping", "EaselJobsDeadLettered",
          "EaselNoWorkersForQueuedJobs", "EaselAuditEventsDropped", "EaselWebhookSecretsUnopenable"}
# what each alert's description names, for the operator to know where to look: a pool, else the pod or the kind
WHERE = {"EaselAuditEventsDropped": "{{ $labels.pod }}", "EaselWebhookSecretsUnopenable": "{{ $labels.kind }}"}
ENABLED = {"prometheusRule": {"enabled": True}}


def rule_groups(objects: list[dict]) -> list[dict]:
    (rule,) = [o for o in objects if o["kind"] == "PrometheusRule"]
    return rule["spec"]["groups"]


def alerts(groups: list[dict]) -> dict[str, dict]:
    return {r["alert"]: r for g in groups for r in g["rules"] if "alert" in r}


def write_rules(groups: list[dict], folder: Path) -> Path:
    """The groups as a Prometheus rule file, as the operator hands them to Prometheus."""
    path = folder / "rules.yaml"
    path.write_text(yaml.safe_dump({"groups": groups}, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def groups(render) -> list[dict]:
    return rule_groups(render(MINIMAL, ENABLED))


def test_the_alerts_are_off_unless_asked_for(render):
    assert not [o for o in render(MINIMAL) if o["kind"] == "PrometheusRule"]


def test_the_alert_rules_pass_promtool_check(groups, tmp_path):
    write_rules(groups, tmp_path)
    result = promtool("check", "rules", "rules.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(ALERTS)} rules found" in result.stdout


def test_each_alert_fires_on_its_trouble_and_none_when_all_is_well(groups, tmp_path):
    write_rules(groups, tmp_path)
    shutil.copy(UNIT_TESTS, tmp_path / UNIT_TESTS.name)
    tested = {t["alertname"] for group in yaml.safe_load(UNIT_TESTS.read_text())["tests"]
              for t in group["alert_rule_test"] if t.get("exp_alerts")}
    assert tested == ALERTS  # every alert has a case where it fires
    result = promtool("test", "rules", UNIT_TESTS.name, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_says_what_happened_how_badly_and_where_to_look(groups):
    rules = alerts(groups)
    assert set(rules) == ALERTS
    for name, rule in rules.items():
        assert rule["labels"]["severity"] in ("warning", "critical"), name
        assert set(rule["annotations"]) == {"summary", "description"}, name
        assert WHERE.get(name, "{{ $labels.pool }}") in rule["annotations"]["description"], name  # in the words
    assert rules["EaselNoWorkersForQueuedJobs"]["for"] == "10m"  # longer than a GPU node and a worker take


def test_every_metric_an_alert_asks_for_is_registered(groups):
    asked = {m for rule in alerts(groups).values() for m in metric_names(rule["expr"])}
    unknown = asked - registered_series() - set(EXTERNAL)
    assert asked and not unknown, f"not registered by any Easel process, nor external: {sorted(unknown)}"


def test_thresholds_are_values(render, tmp_path):
    tuned = {"prometheusRule": {"enabled": True, "alerts": {
        "queueWaitHigh": {"p95Seconds": 120, "for": "30m"},
        "jobsFailing": {"failedShare": 0.25, "minJobs": 50, "window": "1h", "severity": "page"},
        "workerCrashLooping": {"restarts": 5},
        "noWorkers": {"for": "20m"},
    }}}
    groups = rule_groups(render(MINIMAL, tuned))
    rules = alerts(groups)
    wait, failing = rules["EaselQueueWaitHigh"], rules["EaselJobsFailing"]
    assert wait["expr"].endswith("> 120") and wait["for"] == "30m" and "over 120 s" in wait["annotations"]["summary"]
    assert "> 0.25" in failing["expr"] and failing["expr"].endswith(">= 50") and "[1h]" in failing["expr"]
    assert failing["labels"]["severity"] == "page" and "Over 25% of" in failing["annotations"]["description"]
    assert rules["EaselWorkerCrashLooping"]["expr"].endswith(">= 5")
    assert rules["EaselNoWorkersForQueuedJobs"]["for"] == "20m"
    assert rules["EaselJobsDeadLettered"]["expr"].count("[30m]") == 1  # what was not set keeps its default
    write_rules(groups, tmp_path)
    assert promtool("check", "rules", "rules.yaml", cwd=tmp_path).returncode == 0


def test_the_crash_loop_alert_watches_this_releases_workers_only(render):
    rules = alerts(rule_groups(render(MINIMAL, ENABLED, release="prod", namespace="gpu")))
    expr = rules["EaselWorkerCrashLooping"]["expr"]
    assert 'namespace="gpu"' in expr and 'container="gpu-worker"' in expr and 'pod=~"prod-easel-worker-.+"' in expr


@pytest.mark.parametrize("alert_values, complaint", [
    ({"queueWaitHigh": {"p95Seconds": 300}}, "p95Seconds"),  # the histogram's buckets end at 300 s
    ({"noWorkers": {"for": "ten minutes"}}, "for"),
    ({"jobsFailing": {"failedShare": 1.5}}, "failedShare"),
    ({"jobsDeadLettered": {"window": "30m", "threshold": 2}}, "threshold"),
])
def test_wrong_thresholds_are_refused(render, alert_values, complaint):
    with pytest.raises(HelmFailed, match=complaint):
        render(MINIMAL, {"prometheusRule": {"enabled": True, "alerts": alert_values}})
