"""Per-module parameter table of a model: splitter, stage modules, each block's mixers, head."""

from torch import nn


def _params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def parameter_table(model: nn.Module) -> list[dict]:
    """Rows ``{"module", "kind", "params"}`` that add up to the model's parameter count."""
    parts = [("patch_embed", model.patch_embed)]
    for i, block in enumerate(model.blocks):
        if str(i) in model.downsamples:
            parts.append((f"downsamples.{i}", model.downsamples[str(i)]))
        parts.append((f"blocks.{i}.token_mixer", block.token_mixer))
        parts.append((f"blocks.{i}.channel_mixer", block.channel_mixer))
    parts.append(("head", model.head))
    rows = [{"module": name, "kind": type(m).__name__, "params": _params(m)} for name, m in parts]
    rest = _params(model) - sum(r["params"] for r in rows)
    if rest:
        rows.append({"module": "(other)", "kind": "", "params": rest})
    return rows


def preset_rows() -> list[dict]:
    """Every preset with its parameter count built on the meta device and the published
    figures it is checked against (what ``autost models list`` prints)."""
    from autost.models.builder import count_params
    from autost.models.presets import list_presets

    return [{"name": p.name, "family": p.family, "dataset": p.dataset,
             "params": count_params(p.config), "published_params_m": p.published_params_m,
             "exact_params": p.exact_params, "formula_params": p.formula_params,
             "arch_id": p.config.arch_id}
            for p in list_presets()]
