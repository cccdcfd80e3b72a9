from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateHypernetwork")


@_attrs_define
class CreateHypernetwork:
    """
    Attributes:
        name (str):
        activation_func (None | str | Unset):
        add_layer_norm (bool | Unset):  Default: False.
        dropout_structure (list[float] | None | str | Unset):
        enable_sizes (list[int | str] | Unset):
        layer_structure (list[float] | None | str | Unset):
        overwrite_old (bool | Unset):  Default: False.
        use_dropout (bool | Unset):  Default: False.
        weight_init (None | str | Unset):
    """

    name: str
    activation_func: None | str | Unset = UNSET
    add_layer_norm: bool | Unset = False
    dropout_structure: list[float] | None | str | Unset = UNSET
    enable_sizes: list[int | str] | Unset = UNSET
    layer_structure: list[float] | None | str | Unset = UNSET
    overwrite_old: bool | Unset = False
    use_dropout: bool | Unset = False
    weight_init: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        activation_func: None | str | Unset
        if isinstance(self.activation_func, Unset):
            activation_func = UNSET
        else:
            activation_func = self.activation_func

        add_layer_norm = self.add_layer_norm

        dropout_structure: list[float] | None | str | Unset
        if isinstance(self.dropout_structure, Unset):
            dropout_structure = UNSET
        elif isinstance(self.dropout_structure, list):
            dropout_structure = self.dropout_structure

        else:
            dropout_structure = self.dropout_structure

        enable_sizes: list[int | str] | Unset = UNSET
        if not isinstance(self.enable_sizes, Unset):
            enable_sizes = []
            for enable_sizes_item_data in self.enable_sizes:
                enable_sizes_item: int | str
                enable_sizes_item = enable_sizes_item_data
                enable_sizes.append(enable_sizes_item)

        layer_structure: list[float] | None | str | Unset
        if isinstance(self.layer_structure, Unset):
            layer_structure = UNSET
        elif isinstance(self.layer_structure, list):
            layer_structure = self.layer_structure

        else:
            layer_structure = self.layer_structure

        overwrite_old = self.overwrite_old

        use_dropout = self.use_dropout

        weight_init: None | str | Unset
        if isinstance(self.weight_init, Unset):
            weight_init = UNSET
        else:
            weight_init = self.weight_init

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
            }
        )
        if activation_func is not UNSET:
            field_dict["activation_func"] = activation_func
        if add_layer_norm is not UNSET:
            field_dict["add_layer_norm"] = add_layer_norm
        if dropout_structure is not UNSET:
            field_dict["dropout_structure"] = dropout_structure
        if enable_sizes is not UNSET:
            field_dict["enable_sizes"] = enable_sizes
        if layer_structure is not UNSET:
            field_dict["layer_structure"] = layer_structure
        if overwrite_old is not UNSET:
            field_dict["overwrite_old"] = overwrite_old
        if use_dropout is not UNSET:
            field_dict["use_dropout"] = use_dropout
        if weight_init is not UNSET:
            field_dict["weight_init"] = weight_init

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        def _parse_activation_func(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        activation_func = _parse_activation_func(d.pop("activation_func", UNSET))

        add_layer_norm = d.pop("add_layer_norm", UNSET)

        def _parse_dropout_structure(data: object) -> list[float] | None | str | Unset:
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
            return cast(list[float] | None | str | Unset, data)

        dropout_structure = _parse_dropout_structure(d.pop("dropout_structure", UNSET))

        _enable_sizes = d.pop("enable_sizes", UNSET)
        enable_sizes: list[int | str] | Unset = UNSET
        if _enable_sizes is not UNSET:
            enable_sizes = []
            for enable_sizes_item_data in _enable_sizes:

                def _parse_enable_sizes_item(data: object) -> int | str:
                    return cast(int | str, data)

                enable_sizes_item = _parse_enable_sizes_item(enable_sizes_item_data)

                enable_sizes.append(enable_sizes_item)

        def _parse_layer_structure(data: object) -> list[float] | None | str | Unset:
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
            return cast(list[float] | None | str | Unset, data)

        layer_structure = _parse_layer_structure(d.pop("layer_structure", UNSET))

        overwrite_old = d.pop("overwrite_old", UNSET)

        use_dropout = d.pop("use_dropout", UNSET)

        def _parse_weight_init(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        weight_init = _parse_weight_init(d.pop("weight_init", UNSET))

        create_hypernetwork = cls(
            name=name,
            activation_func=activation_func,
            add_layer_norm=add_layer_norm,
            dropout_structure=dropout_structure,
            enable_sizes=enable_sizes,
            layer_structure=layer_structure,
            overwrite_old=overwrite_old,
            use_dropout=use_dropout,
            weight_init=weight_init,
        )

        create_hypernetwork.additional_properties = d
        return create_hypernetwork

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
