"""Models: the builder from ArchConfig to nn.Module and the named presets.

``get_preset``/``list_presets``/``PresetInfo`` are torch-free; ``create_model``,
``count_params``, ``parameter_table``, ``preset_rows`` and ``SpikingTransformer`` import
torch on first use.
"""

from importlib import import_module

from autost.models.presets import PresetInfo, get_preset, list_presets, register_preset

_LAZY = {
    "create_model": "autost.models.builder",
    "count_params": "autost.models.builder",
    "SpikingTransformer": "autost.models.builder",
    "parameter_table": "autost.models.summary",
    "preset_rows": "autost.models.summary",
}

__all__ = ["PresetInfo", "get_preset", "list_presets", "register_preset", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'autost.models' has no attribute {name!r}")
