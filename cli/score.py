"""``autost score``: every proxy of one architecture, with its per-layer cost breakdown."""

import json
import math

import click

from autost.tables import aligned

MACS_CONVENTION = ("MACs are multiply-accumulates per image: macs_per_step for one time step, "
                   "macs_total = T x macs_per_step; SOPs and energy per image over all T steps")
GRADIENT_AND_SPIKE_SCORES = ("synflow", "snip", "grad_norm", "zico", "sahd", "naswot")


def _load_arch(path: str):
    from autost.arch import ArchConfig
    from autost.exceptions import ArchValidationError

    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise ArchValidationError(f"cannot read architecture file {path}: {e.strerror}; "
                                  "give a JSON file of ArchConfig fields") from e
    try:
        return ArchConfig.from_json(text)
    except ArchValidationError as e:
        raise ArchValidationError(f"{path}: {e}") from e


def _rate_note(result, settings) -> str:
    if result.rate_source == "init":
        return (f"rates: init, measured on {settings.batch_size} {settings.dataset} images "
                "at initialization (BatchNorm on batch statistics)")
    if result.rate_source == "prior":
        return "rates: prior, published per-role rates (autost.cost.priors)"
    return "rates: none"


def _finite(obj):
    """JSON has no infinities: write them as the storage does, "inf", "-inf", "nan"."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return "nan" if math.isnan(obj) else ("inf" if obj > 0 else "-inf")
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_finite(v) for v in obj]
    return obj


def _fmt(value, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _render(name: str, cfg, result, settings) -> str:
    v = result.values
    head = [f"{name}  {cfg.summary()}  arch_id {result.arch_id[:12]}",
            f"{MACS_CONVENTION} (T = {cfg.timesteps})", _rate_note(result, settings), ""]
    rows = [[r["name"], r["kind"], "x".join(map(str, r["output_shape"])), f"{r['params']:,}",
             f"{r['macs_per_step']:,}", _fmt(r.get("rate"), ".4f"), _fmt(r.get("sops"), ",.0f"),
             _fmt(None if "energy_share" not in r else 100 * r["energy_share"], ".2f")]
            for r in result.layers]
    table = aligned(["layer", "kind", "output", "params", "macs_per_step", "input rate", "SOPs",
                    "energy %"], rows, {3, 4, 5, 6, 7})
    totals = [f"params                 {v['params']:,.0f}",
              f"macs_per_step          {v['macs_per_step']:,.0f}",
              f"macs_total             {v['macs_total']:,.0f}",
              f"elementwise_ops_total  {v['elementwise_ops_total']:,.0f}",
              f"sops                   {v['sops']:,.0f}",
              f"energy_mj              {v['energy']:.6f}  (e_mac {settings.e_mac_pj} pJ, "
              f"e_ac {settings.e_ac_pj} pJ)",
              *(f"{name:<23}{v[name]:.6f}" for name in GRADIENT_AND_SPIKE_SCORES)]
    flags = [f"flag: {f}" for f in result.flags]
    return "\n".join([*head, table, *totals, *flags])


@click.command()
@click.option("--preset", help="Name of a preset model (see `autost models list`).")
@click.option("--arch", "arch_file", type=click.Path(dir_okay=False),
              help="JSON file of an ArchConfig.")
@click.option("--rates", type=click.Choice(["init", "prior"]), default="init",
              show_default=True, help="Firing rates for SOPs and energy.")
@click.option("--dataset", default="digits", show_default=True,
              help="Calibration images for the rate and gradient passes.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead.")
def score(preset, arch_file, rates, dataset, as_json):
    """Score one architecture by every proxy, with a per-layer cost table."""
    if (preset is None) == (arch_file is None):
        raise click.UsageError("give exactly one of --preset NAME or --arch FILE.json")
    from autost.models import get_preset
    from autost.proxies import ScoreSettings, list_proxies, score_architecture

    cfg = get_preset(preset) if preset else _load_arch(arch_file)
    settings = ScoreSettings(rates=rates, dataset=dataset)
    click.echo(f"scoring {cfg.summary()} ({settings.key()})", err=True)
    result = score_architecture(cfg, list_proxies(), settings)
    if as_json:
        click.echo(json.dumps(_finite({
            "name": preset or arch_file, "timesteps": cfg.timesteps,
            "settings": settings.to_dict(), "config": cfg.to_dict(), **result.to_dict()}),
            indent=2, allow_nan=False))
        return
    click.echo(_render(preset or arch_file, cfg, result, settings))
