"""A pool's node labels follow Kubernetes' label syntax: what the API accepts, the controller can apply."""

from __future__ import annotations

import pytest

from easel_jobs.pools import labels
from easel_proto.errors import InvalidInput


@pytest.mark.parametrize("key", ["zone", "topology.kubernetes.io/zone", "nvidia.com/gpu.product", "a", "A_b.c-9",
                                 "x" * 63, f"{'a' * 63}.{'b' * 63}.{'c' * 63}.{'d' * 61}/n"])
def test_label_keys_kubernetes_takes(key):
    labels.check(gpu_type=None, instance_type=None, node_selector={key: "v"})


@pytest.mark.parametrize("key", ["", "-zone", "zone-", "x" * 64, "/zone", "example.com/", "Example.com/zone",
                                 "a/b/c", "zone with space", "zone=a", f"{'a' * 63}.{'b' * 63}.{'c' * 63}.{'d' * 63}/n",
                                 "bad_prefix.com/zone"])
def test_other_label_keys_are_refused_naming_the_key(key):
    with pytest.raises(InvalidInput) as caught:
        labels.check(gpu_type=None, instance_type=None, node_selector={"ok": "v", key: "v"})
    assert caught.value.details["field"] == f"node_selector.{key}"
    assert "label key" in caught.value.message


@pytest.mark.parametrize("value", ["", "a", "NVIDIA-A10G", "g5.xlarge", "x" * 63])
def test_label_values_kubernetes_takes(value):
    labels.check(gpu_type=value or None, instance_type=value or None, node_selector={"zone": value})


@pytest.mark.parametrize("value", ["x" * 64, "-a", "a.", "two words", "a/b", "é"])
def test_other_label_values_are_refused_naming_the_field(value):
    for fields, named in (({"node_selector": {"zone": value}}, "node_selector.zone"),
                          ({"gpu_type": value}, "gpu_type"), ({"instance_type": value}, "instance_type")):
        given = {"gpu_type": None, "instance_type": None, "node_selector": None, **fields}
        with pytest.raises(InvalidInput) as caught:
            labels.check(**given)
        assert caught.value.details["field"] == named
        assert "label value" in caught.value.message
