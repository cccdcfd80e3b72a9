"""Hypernetworks as the web UI trains them: for each attention input width, two small residual MLPs that rewrite
what the key (k) and value (v) projections read, x + mlp(x) * strength.

The web UI pickles a dict {width: (k_state, v_state), "layer_structure": ..., ...}. Easel refuses pickles, so the
same structure is saved as .safetensors with flat keys: `<width>.<0 for k, 1 for v>.linear.<i>.<weight|bias>`,
`i` being the module's index in the web UI's nn.Sequential (Linear, activation, LayerNorm, Dropout, in that
order per layer), and the other entries as strings in the file's metadata: layer_structure and
dropout_structure (JSON lists), activation_func, weight_initialization, is_layer_norm, use_dropout,
activate_output, last_layer_dropout ("true"/"false"), name, step, sd_checkpoint, sd_checkpoint_name. The worker
reads this layout (easel_worker/engine/hypernetwork.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from torch import nn

from easel_proto.errors import InvalidInput
from easel_proto.webui import hypernetwork_dropouts

from .base import Exported, Method, group, place, save_tensors

# The web UI's activation names: its own seven ("swish" is Hardswish there), then every torch activation by its
# lower-cased class name.
ACTIVATIONS: dict[str, type[nn.Module]] = {
    **{cls.__name__.lower(): cls for cls in vars(nn.modules.activation).values()
       if isinstance(cls, type) and issubclass(cls, nn.Module) and cls.__module__ == nn.modules.activation.__name__},
    "linear": nn.Identity, "relu": nn.ReLU, "leakyrelu": nn.LeakyReLU, "elu": nn.ELU, "swish": nn.Hardswish,
    "tanh": nn.Tanh, "sigmoid": nn.Sigmoid,
}


def dropout_structure(layers: list[float], use_dropout: bool, last_layer_dropout: bool,
                      given: list[float] | None = None) -> list[float]:
    """The web UI's per-layer dropout rates: its dropout_structure when given, else 0.3 after each hidden layer
    but the last (that one too with last_layer_dropout), never on the input or output."""
    return hypernetwork_dropouts(layers, use_dropout, last_layer_dropout, given)


class HyperModule(nn.Module):
    """One k or v module: x + linear(x) * multiplier (1 while training)."""

    def __init__(self, width: int, layers: list[float], activation: str, layer_norm: bool, activate_output: bool,
                 dropouts: list[float], init: str) -> None:
        super().__init__()
        parts: list[nn.Module] = []
        for i in range(len(layers) - 1):
            parts.append(nn.Linear(int(width * layers[i]), int(width * layers[i + 1])))
            last = i == len(layers) - 2
            if activation != "linear" and (not last or activate_output):
                parts.append(ACTIVATIONS[activation]())
            if layer_norm:
                parts.append(nn.LayerNorm(int(width * layers[i + 1])))
            if dropouts[i + 1] > 0:
                parts.append(nn.Dropout(p=dropouts[i + 1]))
        self.linear = nn.Sequential(*parts)
        self.multiplier = 1.0
        for part in self.linear:
            if isinstance(part, nn.Linear | nn.LayerNorm):
                _initialise(part, init, activation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.linear(x) * (1.0 if self.training else self.multiplier)


def _initialise(layer: nn.Module, init: str, activation: str) -> None:
    """The web UI's initialisations (a LayerNorm always gets the Normal one)."""
    w, b = layer.weight.data, layer.bias.data
    if init == "Normal" or isinstance(layer, nn.LayerNorm):
        nn.init.normal_(w, mean=0.0, std=0.01)
        nn.init.zeros_(b)
        return
    nonlinearity = "leaky_relu" if activation == "leakyrelu" else "relu"
    {"XavierUniform": nn.init.xavier_uniform_, "XavierNormal": nn.init.xavier_normal_,
     "KaimingUniform": lambda t: nn.init.kaiming_uniform_(t, nonlinearity=nonlinearity),
     "KaimingNormal": lambda t: nn.init.kaiming_normal_(t, nonlinearity=nonlinearity)}[init](w)
    nn.init.zeros_(b)


def attention_widths(unet: nn.Module) -> list[int]:
    """The input widths of every attention key projection in the UNet (self- and cross-attention)."""
    return sorted({m.to_k.in_features for m in unet.modules() if hasattr(m, "to_k") and hasattr(m, "to_v")})


class Hypernetwork(Method):
    def prepare(self, device: torch.device, weight_dtype: torch.dtype) -> None:
        base = self.base
        place(base, device, weight_dtype)
        h = self.spec.hypernetwork
        self.layers = [float(x) for x in (h.layer_structure or [1, 2, 1])]
        self.activation = h.activation or "linear"
        self.dropouts = dropout_structure(self.layers, bool(h.dropout), bool(h.last_layer_dropout),
                                          h.dropout_structure)
        available = attention_widths(base.unet)
        widths = sorted(set(h.sizes)) if h.sizes else available
        missing = [w for w in widths if w not in available]
        if missing:
            raise InvalidInput("hypernetwork.sizes", f"{missing} are not attention input widths of this UNet "
                               f"({available})")
        self.net = nn.ModuleDict({
            str(w): nn.ModuleList(HyperModule(w, self.layers, self.activation, bool(h.layer_norm),
                                              bool(h.activate_output), self.dropouts, h.weight_init or "Normal")
                                  for _ in range(2))
            for w in widths}).to(device)
        self.handles = hook(base.unet, self.net)

    def modules(self) -> list[nn.Module]:
        return [self.net]

    def param_groups(self) -> list[dict]:
        return [group([(f"hypernetwork.{n}", p) for n, p in self.net.named_parameters()], self.rates.hypernetwork)]

    def export(self, dest: Path, metadata: dict[str, str]) -> Exported:
        h = self.spec.hypernetwork
        tensors = {f"{width}.{side}.{key}": value.float() for width, pair in self.net.items()
                   for side, module in enumerate(pair) for key, value in module.state_dict().items()}
        flag = lambda v: "true" if v else "false"  # noqa: E731
        meta = {**metadata, "layer_structure": json.dumps(self.layers), "activation_func": self.activation,
                "weight_initialization": h.weight_init or "Normal", "is_layer_norm": flag(h.layer_norm),
                "use_dropout": flag(h.dropout), "dropout_structure": json.dumps(self.dropouts),
                "activate_output": flag(h.activate_output), "last_layer_dropout": flag(h.last_layer_dropout)}
        name = self.spec.name or "model"
        path = save_tensors(tensors, dest / f"{name}.safetensors", meta)
        return Exported("hypernetwork", "safetensors", path, name, {"sizes": [int(w) for w in self.net]})

    def close(self) -> None:
        for handle in getattr(self, "handles", []):
            handle.remove()


def hook(unet: nn.Module, net: nn.ModuleDict) -> list:
    """Route every attention's key and value projection inputs through the modules of their width."""
    handles = []
    for module in unet.modules():
        if not (hasattr(module, "to_k") and hasattr(module, "to_v")):
            continue
        pair = net[str(module.to_k.in_features)] if str(module.to_k.in_features) in net else None
        if pair is None:
            continue
        for side, projection in enumerate((module.to_k, module.to_v)):
            handles.append(projection.register_forward_pre_hook(_rewrite(pair[side])))
    return handles


def _rewrite(module: HyperModule):
    def pre(_projection, args):
        x = args[0]
        return (module(x.float()).to(x.dtype), *args[1:])

    return pre
