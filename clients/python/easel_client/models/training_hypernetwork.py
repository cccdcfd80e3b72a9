from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.training_hypernetwork_activation_type_0 import TrainingHypernetworkActivationType0
from ..models.training_hypernetwork_weight_init_type_0 import TrainingHypernetworkWeightInitType0
from ..types import UNSET, Unset

T = TypeVar("T", bound="TrainingHypernetwork")


@_attrs_define
class TrainingHypernetwork:
    """
    Attributes:
        activate_output (bool | None | Unset):  Default: False.
        activation (None | TrainingHypernetworkActivationType0 | Unset):  Default:
            TrainingHypernetworkActivationType0.LINEAR.
        dropout (bool | None | Unset): Dropout 0.3 after the hidden layers (the web UI's use_dropout). Default: False.
        dropout_structure (list[float] | None | Unset): Dropout rate after each layer of layer_structure (the web UI's
            dropout_structure): as many entries, the first and last 0; with dropout, replaces the 0.3 rates.
        last_layer_dropout (bool | None | Unset):  Default: False.
        layer_norm (bool | None | Unset):  Default: False.
        layer_structure (list[float] | None | Unset): Width of each layer as a multiple of the input's; starts and ends
            with 1.
        sizes (list[int] | None | Unset): The attention input widths that get modules; null: every width the UNet's
            attention keys take (the web UI's default for SD 1.x is 768, 320, 640, 1280).
        weight_init (None | TrainingHypernetworkWeightInitType0 | Unset):  Default:
            TrainingHypernetworkWeightInitType0.NORMAL.
    """

    activate_output: bool | None | Unset = False
    activation: None | TrainingHypernetworkActivationType0 | Unset = TrainingHypernetworkActivationType0.LINEAR
    dropout: bool | None | Unset = False
    dropout_structure: list[float] | None | Unset = UNSET
    last_layer_dropout: bool | None | Unset = False
    layer_norm: bool | None | Unset = False
    layer_structure: list[float] | None | Unset = UNSET
    sizes: list[int] | None | Unset = UNSET
    weight_init: None | TrainingHypernetworkWeightInitType0 | Unset = TrainingHypernetworkWeightInitType0.NORMAL

    def to_dict(self) -> dict[str, Any]:
        activate_output: bool | None | Unset
        if isinstance(self.activate_output, Unset):
            activate_output = UNSET
        else:
            activate_output = self.activate_output

        activation: None | str | Unset
        if isinstance(self.activation, Unset):
            activation = UNSET
        elif isinstance(self.activation, TrainingHypernetworkActivationType0):
            activation = self.activation.value
        else:
            activation = self.activation

        dropout: bool | None | Unset
        if isinstance(self.dropout, Unset):
            dropout = UNSET
        else:
            dropout = self.dropout

        dropout_structure: list[float] | None | Unset
        if isinstance(self.dropout_structure, Unset):
            dropout_structure = UNSET
        elif isinstance(self.dropout_structure, list):
            dropout_structure = self.dropout_structure

        else:
            dropout_structure = self.dropout_structure

        last_layer_dropout: bool | None | Unset
        if isinstance(self.last_layer_dropout, Unset):
            last_layer_dropout = UNSET
        else:
            last_layer_dropout = self.last_layer_dropout

        layer_norm: bool | None | Unset
        if isinstance(self.layer_norm, Unset):
            layer_norm = UNSET
        else:
            layer_norm = self.layer_norm

        layer_structure: list[float] | None | Unset
        if isinstance(self.layer_structure, Unset):
            layer_structure = UNSET
        elif isinstance(self.layer_structure, list):
            layer_structure = self.layer_structure

        else:
            layer_structure = self.layer_structure

        sizes: list[int] | None | Unset
        if isinstance(self.sizes, Unset):
            sizes = UNSET
        elif isinstance(self.sizes, list):
            sizes = self.sizes

        else:
            sizes = self.sizes

        weight_init: None | str | Unset
        if isinstance(self.weight_init, Unset):
            weight_init = UNSET
        elif isinstance(self.weight_init, TrainingHypernetworkWeightInitType0):
            weight_init = self.weight_init.value
        else:
            weight_init = self.weight_init

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if activate_output is not UNSET:
            field_dict["activate_output"] = activate_output
        if activation is not UNSET:
            field_dict["activation"] = activation
        if dropout is not UNSET:
            field_dict["dropout"] = dropout
        if dropout_structure is not UNSET:
            field_dict["dropout_structure"] = dropout_structure
        if last_layer_dropout is not UNSET:
            field_dict["last_layer_dropout"] = last_layer_dropout
        if layer_norm is not UNSET:
            field_dict["layer_norm"] = layer_norm
        if layer_structure is not UNSET:
            field_dict["layer_structure"] = layer_structure
        if sizes is not UNSET:
            field_dict["sizes"] = sizes
        if weight_init is not UNSET:
            field_dict["weight_init"] = weight_init

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_activate_output(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        activate_output = _parse_activate_output(d.pop("activate_output", UNSET))

        def _parse_activation(data: object) -> None | TrainingHypernetworkActivationType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                activation_type_0 = TrainingHypernetworkActivationType0(data)

                return activation_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TrainingHypernetworkActivationType0 | Unset, data)

        activation = _parse_activation(d.pop("activation", UNSET))

        def _parse_dropout(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        dropout = _parse_dropout(d.pop("dropout", UNSET))

        def _parse_dropout_structure(data: object) -> list[float] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                dropout_structure_type_0 = cast(list[float], data)

                return dropout_structure_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[float] | None | Unset, data)

        dropout_structure = _parse_dropout_structure(d.pop("dropout_structure", UNSET))

        def _parse_last_layer_dropout(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        last_layer_dropout = _parse_last_layer_dropout(d.pop("last_layer_dropout", UNSET))

        def _parse_layer_norm(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        layer_norm = _parse_layer_norm(d.pop("layer_norm", UNSET))

        def _parse_layer_structure(data: object) -> list[float] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                layer_structure_type_0 = cast(list[float], data)

                return layer_structure_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[float] | None | Unset, data)

        layer_structure = _parse_layer_structure(d.pop("layer_structure", UNSET))

        def _parse_sizes(data: object) -> list[int] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                sizes_type_0 = cast(list[int], data)

                return sizes_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[int] | None | Unset, data)

        sizes = _parse_sizes(d.pop("sizes", UNSET))

        def _parse_weight_init(data: object) -> None | TrainingHypernetworkWeightInitType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                weight_init_type_0 = TrainingHypernetworkWeightInitType0(data)

                return weight_init_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TrainingHypernetworkWeightInitType0 | Unset, data)

        weight_init = _parse_weight_init(d.pop("weight_init", UNSET))

        training_hypernetwork = cls(
            activate_output=activate_output,
            activation=activation,
            dropout=dropout,
            dropout_structure=dropout_structure,
            last_layer_dropout=last_layer_dropout,
            layer_norm=layer_norm,
            layer_structure=layer_structure,
            sizes=sizes,
            weight_init=weight_init,
        )

        return training_hypernetwork
