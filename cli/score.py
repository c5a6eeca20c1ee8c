"""``autost score``: every proxy of one architecture, with its per-layer cost breakdown."""

import json

import click

from autost.cli.options import Checked, ProxyList, echo_json, json_option, storage_option
from autost.cost.constants import SCORING_RATE_SOURCES
from autost.cost.hardware import (
    DEFAULT_ENERGY_MODEL,
    DEFAULT_HARDWARE,
    HARDWARE,
    WEIGHT_REUSE,
    check_energy_model,
    check_hardware,
    twin_bits,
)
from autost.tables import aligned

MACS_CONVENTION = ("MACs are multiply-accumulates per image: macs_per_step for one time step, "
                   "macs_total = T x macs_per_step; SOPs and energy per image over all T steps")
GRADIENT_AND_SPIKE_SCORES = ("synflow", "snip", "grad_norm", "zico", "sahd", "naswot")


# Keys under which autost's own JSON outputs hold an architecture: `autost models show
# --json` and `autost score --json` ("config"), `autost results show --json` ("arch").
_ENVELOPES = ("config", "arch")


def _load_arch(path: str):
    """The ArchConfig in a JSON file (``-``: stdin): plain fields or an autost output."""
    from autost.arch import ArchConfig
    from autost.exceptions import ArchValidationError

    try:
        with click.open_file(path, encoding="utf-8") as f:
            data = json.loads(f.read())
    except OSError as e:
        raise ArchValidationError(f"cannot read architecture file {path}: {e.strerror}; "
                                  "give a JSON file of ArchConfig fields") from e
    except json.JSONDecodeError as e:
        raise ArchValidationError(f"{path}: architecture is not valid JSON: {e}") from e
    if isinstance(data, dict) and "blocks" not in data:
        data = next((data[k] for k in _ENVELOPES if isinstance(data.get(k), dict)), data)
    if not isinstance(data, dict) or "blocks" not in data:
        raise ArchValidationError(
            f"{path}: no architecture in this JSON; give ArchConfig fields (with \"blocks\") "
            "or what `autost models show --json` or `autost results show --json` print")
    try:
        return ArchConfig.from_dict(data)
    except ArchValidationError as e:
        raise ArchValidationError(f"{path}: {e}") from e


def _stored_arch(arch_id: str, storage_url: str | None):
    """The stored candidate whose arch_id starts with ``arch_id``, and its full id."""
    from autost.report.candidate import resolve_arch_id
    from autost.storage import open_storage

    storage = open_storage(storage_url, create=False)
    try:
        full = resolve_arch_id(storage, arch_id)
        return storage.get_candidate(full), full
    finally:
        storage.close()


def _default_proxies(settings) -> list[str]:
    """Every proxy with measured rates; with prior rates, which a user picks to run no
    model, the proxies the cost model alone gives (a forward and backward pass of a
    full-size model takes a minute on a CPU)."""
    from autost.proxies import get_proxy, list_proxies

    if settings.rates == "init":
        return list_proxies()
    return [p for p in list_proxies() if not get_proxy(p).runs_model(settings)]


def _timings(seconds: dict[str, float]) -> str:
    """How long each step took, e.g. "seconds: cost pass 0.21, flops 0.00, naswot 3.10"."""
    return "seconds: " + ", ".join(f"{name} {s:.2f}" for name, s in seconds.items())


def _rate_note(result, settings) -> str:
    if result.rate_source == "init":
        return (f"rates: init, measured on {settings.batch_size} {settings.dataset} images "
                "at initialization (BatchNorm on batch statistics)")
    if result.rate_source == "prior":
        return "rates: prior, published per-role rates (autost.cost.priors)"
    return "rates: none (no chosen proxy needs firing rates)"


def _fmt(value, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _published_entry(conv, name: str, cfg, published_ops: bool):
    """The paper's published energy of this preset (at its T and input size) or None;
    with ``published_ops``, CostModelError unless the paper printed its operation count."""
    from autost.cost.conventions import PUBLISHED, published_for
    from autost.exceptions import CostModelError

    published = published_for(name, conv.name, cfg.timesteps, cfg.input_size)
    if published_ops and not published:
        listed = sorted({p.preset for p in PUBLISHED if p.convention == conv.name})
        raise CostModelError(
            f"{conv.paper} published no energy for {name} at T = {cfg.timesteps}, input "
            f"{cfg.input_size}; --published-ops needs a preset of its table: "
            f"{', '.join(listed) or 'none'}")
    return published[0] if published else None


def _convention_energy(conv, entry, cfg, result, settings, published_ops: bool) -> dict:
    """Energy under ``conv`` from autost's counts and the rates of ``result``, or from the
    SOPs the paper printed, with the paper's published figure where there is one."""
    from autost.cost import count_costs
    from autost.cost.conventions import convention_energy, energy_from_published_ops

    cost = count_costs(cfg)
    if published_ops:
        energy = energy_from_published_ops(entry, cost, cfg.in_channels, settings.e_mac_pj,
                                           settings.e_ac_pj)
    else:
        rates = {r["name"]: r["rate"] for r in result.layers if r.get("rate") is not None}
        energy = convention_energy(conv, cost, rates, in_channels=cfg.in_channels,
                                   input_size=cfg.input_size, e_mac_pj=settings.e_mac_pj,
                                   e_ac_pj=settings.e_ac_pj)
    return {"convention": conv.name, "paper": conv.paper,
            "counts": "published" if published_ops else "autost",
            "dense_macs": energy.dense_macs, "sops": energy.sops,
            "energy_mj": energy.energy_mj,
            "published_mj": entry.energy_mj if entry else None,
            "published_source": entry.source if entry else None}


def _render_convention(c: dict) -> list[str]:
    counts = ("the paper's published SOPs" if c["counts"] == "published"
              else "autost's counts and rates")
    lines = [f"energy_mj ({c['convention']})  {c['energy_mj']:.6f}  ({c['paper']}; dense "
             f"MACs {c['dense_macs'] / 1e9:.4f} G, SOPs {c['sops'] / 1e9:.4f} G, from "
             f"{counts})"]
    if c["published_mj"] is not None:
        lines.append(f"published_mj           {c['published_mj']:.3f}  ({c['published_source']}"
                     f"); ratio {c['energy_mj'] / c['published_mj']:.3f}")
    return lines


def memory_summary(result) -> dict | None:
    """Totals of the memory model's per-layer rows (mJ per image) and the MAC-weighted mean
    rate of the non-encoding layers; None without such rows."""
    rows = [r for r in result.layers if "movement_pj" in r]
    if not rows:
        return None
    return {"compute_mj": sum(r["compute_pj"] for r in rows) / 1e9,
            "movement_mj": sum(r["movement_pj"] for r in rows) / 1e9,
            "twin_mj": sum(r["twin_pj"] for r in rows) / 1e9,
            "mean_rate": _mean_rate(result)}


def _mean_rate(result) -> float | None:
    """The MAC-weighted mean rate of the layers with a rate (the non-encoding MAC layers):
    the uniform rate with the same SOPs; None without rates."""
    rows = [r for r in result.layers if r.get("rate") is not None]
    macs = sum(r["macs_total"] for r in rows)
    return sum(r["rate"] * r["macs_total"] for r in rows) / macs if macs else None


def _mean_rate_note(result) -> str:
    mean = _mean_rate(result)
    return "" if mean is None else f"; this candidate's mean rate {mean:.4f}"


def _memory_totals(energy: float, result, settings) -> list[str]:
    m = memory_summary(result)
    return [f"energy_mj              {energy:.6f}  (memory model, hardware {settings.hardware}, "
            f"weights {settings.weight_reuse}: compute {m['compute_mj']:.6f} + data movement "
            f"{m['movement_mj']:.6f})",
            f"twin_energy_mj         {m['twin_mj']:.6f}  (the same network as a quantized ANN, "
            "one pass, same memory model)"]


def _render(name: str, cfg, result, settings, convention: dict | None = None) -> str:
    v = result.values
    head = [f"{name}  {cfg.summary()}  arch_id {result.arch_id[:12]}",
            f"{MACS_CONVENTION} (T = {cfg.timesteps})", _rate_note(result, settings), ""]
    rows = [[r["name"], r["kind"], "x".join(map(str, r["output_shape"])), f"{r['params']:,}",
             f"{r['macs_per_step']:,}", _fmt(r.get("rate"), ".4f"), _fmt(r.get("sops"), ",.0f"),
             _fmt(None if "energy_share" not in r else 100 * r["energy_share"], ".2f")]
            for r in result.layers]
    headers = ["layer", "kind", "output", "params", "macs_per_step", "input rate", "SOPs",
               "energy %"]
    memory = settings.energy_model == "memory"
    if memory:
        headers += ["compute uJ", "movement uJ", "twin uJ"]
        for row, r in zip(rows, result.layers, strict=True):
            row += [_fmt(None if r.get(k) is None else r[k] / 1e6, ",.2f")
                    for k in ("compute_pj", "movement_pj", "twin_pj")]
    table = aligned(headers, rows, set(range(3, len(headers))))
    totals = [f"params                 {v['params']:,.0f}",
              f"macs_per_step          {v['macs_per_step']:,.0f}",
              f"macs_total             {v['macs_total']:,.0f}",
              f"elementwise_ops_total  {v['elementwise_ops_total']:,.0f}"]
    if "sops" in v:
        totals.append(f"sops                   {v['sops']:,.0f}")
    if "energy" in v and memory:
        totals += _memory_totals(v["energy"], result, settings)
    elif "energy" in v:
        totals.append(f"energy_mj              {v['energy']:.6f}  (e_mac {settings.e_mac_pj} "
                      f"pJ, e_ac {settings.e_ac_pj} pJ)")
    if "breakeven_rate" in v:
        totals.append(f"breakeven_rate         {v['breakeven_rate']:.6f}  (mean spike rate at "
                      f"which it costs what its {twin_bits(cfg.timesteps)}-bit quantized twin "
                      f"costs; {settings.energy_model} energy model{_mean_rate_note(result)})")
    totals += [f"{name:<22} {v[name]:.6f}" for name in GRADIENT_AND_SPIKE_SCORES if name in v]
    if convention is not None:
        totals += _render_convention(convention)
    flags = [f"flag: {f}" for f in result.flags]
    return "\n".join([*head, table, *totals, *flags])


@click.command()
@click.option("--preset", help="Name of a preset model (see `autost models list`).")
@click.option("--arch", "arch_file", type=click.Path(dir_okay=False, allow_dash=True),
              help="JSON file (- for stdin) of ArchConfig fields, or what `autost models "
                   "show --json` or `autost results show --json` print.")
@click.option("--arch-id", help="A candidate stored in --storage (a unique prefix will do).")
@storage_option("With --arch-id.")
@click.option("--proxies", type=ProxyList(), default=None,
              help="Proxies to compute, e.g. flops,energy (default: all; with --rates prior, "
                   "the cost-only ones: params, flops, sops, energy). sahd and naswot, and "
                   "sops and energy with --rates init, need a forward pass, the gradient "
                   "proxies a backward one too; params and MACs are always given.")
@click.option("--rates", type=click.Choice(SCORING_RATE_SOURCES), default="init",
              show_default=True, help="Firing rates for SOPs and energy.")
@click.option("--dataset", default="digits", show_default=True,
              help="Calibration images for the rate and gradient passes.")
@click.option("--energy-convention", "convention_name", metavar="PAPER",
              help="Also compute energy the way a paper does: autost (the default "
                   "convention), spikformer, qkformer, sdt or stmixer.")
@click.option("--energy-model", type=Checked(check_energy_model, "NAME"),
              default=DEFAULT_ENERGY_MODEL, show_default=True,
              help="compute: arithmetic only (45 nm, as the papers); memory: plus the reads "
                   "and writes of weights, potentials and spikes (see the README).")
@click.option("--hardware", type=Checked(check_hardware, "NAME"),
              default=DEFAULT_HARDWARE, show_default=True,
              help=f"Hardware parameters of the memory model: {', '.join(HARDWARE)}.")
@click.option("--weight-reuse", type=click.Choice(WEIGHT_REUSE), default=WEIGHT_REUSE[0],
              show_default=True,
              help="Memory model: weights read once per image, or once per time step.")
@click.option("--published-ops", is_flag=True,
              help="With --energy-convention: use the operation counts the paper printed "
                   "for this preset (reproduces its table).")
@click.option("--predictor", "predictor_name", metavar="NAME",
              help="Also print the accuracy this predictor predicts (a built-in one, or one "
                   "calibrated in --storage; see `autost predictors list`).")
@json_option()
def score(preset, arch_file, arch_id, storage_url, proxies, rates, dataset, convention_name,
          energy_model, hardware, weight_reuse, published_ops, predictor_name, as_json):
    """Score one architecture by every proxy (or --proxies), with a per-layer cost table."""
    if sum(x is not None for x in (preset, arch_file, arch_id)) != 1:
        raise click.UsageError("give exactly one of --preset NAME, --arch FILE.json or "
                               "--arch-id ID")
    if storage_url is not None and arch_id is None and predictor_name is None:
        raise click.UsageError("--storage is read only with --arch-id ID or --predictor NAME")
    if published_ops and convention_name is None:
        raise click.UsageError("--published-ops needs --energy-convention PAPER")
    from autost.cost.conventions import check_published_ops, get_convention
    from autost.models import get_preset
    from autost.proxies import ScoreSettings, score_architecture

    conv = get_convention(convention_name) if convention_name is not None else None
    fitted = None if predictor_name is None else _predictor(predictor_name, storage_url)
    if arch_id is not None:
        cfg, arch_id = _stored_arch(arch_id, storage_url)
        name = arch_id[:12]
    else:
        cfg = get_preset(preset) if preset else _load_arch(arch_file)
        name = preset or arch_file
    entry = None if conv is None else _published_entry(conv, name, cfg, published_ops)
    if published_ops:
        check_published_ops(entry)
    settings = ScoreSettings(rates=rates, dataset=dataset, energy_model=energy_model,
                             hardware=hardware, weight_reuse=weight_reuse)
    proxies = proxies or _default_proxies(settings)
    if conv is not None and "energy" not in proxies:
        proxies = [*proxies, "energy"]  # the convention reads the energy proxy's rates
    click.echo(f"scoring {cfg.summary()} ({settings.key()}) by {', '.join(proxies)}", err=True)
    seconds = {}
    result = score_architecture(cfg, proxies, settings, seconds)
    click.echo(_timings(seconds), err=True)
    convention = (None if conv is None else _convention_energy(
        conv, entry, cfg, result, settings, published_ops))
    predicted = None if fitted is None else {
        "name": fitted.name, "surrogate": fitted.surrogate,
        "accuracy": fitted.predict_architecture(cfg)}
    if as_json:
        extra = {} if convention is None else {"energy_convention": convention}
        extra |= {} if predicted is None else {"predicted": predicted}
        memory = memory_summary(result)
        if memory is not None:
            extra["memory_energy"] = memory
        echo_json({"name": name, "timesteps": cfg.timesteps, "settings": settings.to_dict(),
                   "config": cfg.to_dict(), **result.to_dict(), "seconds": seconds, **extra})
        return
    click.echo(_render(name, cfg, result, settings, convention))
    if predicted is not None:
        click.echo(f"predicted              {predicted['accuracy']:.2f} %  (predictor "
                   f"{fitted.name!r}, from its {fitted.surrogate} surrogate's "
                   f"{', '.join(fitted.proxies)})")


def _predictor(name: str, storage_url: str | None):
    """The built-in predictor ``name``, or the one calibrated in ``storage_url``."""
    from autost.cli.options import optional_storage
    from autost.proxies.builtin import builtin_names
    from autost.search.derived import load_predictor

    return load_predictor(None if name in builtin_names() else optional_storage(storage_url),
                          name)
