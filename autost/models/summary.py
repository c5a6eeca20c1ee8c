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
