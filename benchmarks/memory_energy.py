"""Energy with and without data movement, and each model's break-even against its twin.

First Yan et al.'s setting (arXiv 2409.08290: one layer of fan-in 4096, T = 5, their typical
neuromorphic hardware): the break-even rate with weights kept over the steps and re-read
each step, beside the paper's 5.7 % (version 4) and 6.4 % (versions 2 and 3). Then, for
every published ImageNet preset at its published T and input size, with the prior rates:
the compute-only energy (autost's convention, 45 nm), the memory-aware energy (hardware
``horowitz45``, weights stationary) and its data-movement share, the quantized twin's
energy under the same memory model, and the break-even rate under the compute model, under
``horowitz45`` and under ``yan-typical``, beside the prior mean rate (MAC-weighted over
the non-encoding layers: the uniform rate with the same SOPs).

Usage:
    python benchmarks/memory_energy.py
"""

from __future__ import annotations

from autost.cost import count_costs, estimate_energy, prior_rates
from autost.cost.constants import E_AC_PJ, E_MAC_PJ
from autost.cost.conventions import PUBLISHED
from autost.cost.hardware import YAN_BREAKEVEN_RATES, get_hardware, twin_bits
from autost.cost.memory import layer_traffic, memory_energy, yan_breakeven_rate
from autost.models import get_preset


def _report(traffic, rates, hardware: str, timesteps: int, movement: bool = True):
    return memory_energy(traffic, rates, get_hardware(hardware), timesteps=timesteps,
                         weight_reuse="stationary", e_ac_pj=E_AC_PJ, e_mac_pj=E_MAC_PJ,
                         movement=movement)


def main() -> None:
    published = ", ".join(f"{100 * r:.1f} %" for r in YAN_BREAKEVEN_RATES)
    print("Yan et al.'s setting (fan-in 4096, T = 5, yan-typical hardware): break-even "
          f"{100 * yan_breakeven_rate():.2f} % with weights stationary, "
          f"{100 * yan_breakeven_rate('per-step'):.1f} % with weights re-read each step "
          f"(published: {published})")
    print()
    print(f"{'preset':22} {'T':>2} {'size':>4} {'bits':>4} {'compute mJ':>10} "
          f"{'memory mJ':>10} {'moved %':>7} {'twin mJ':>9} {'b-e comp':>8} {'b-e h45':>8} "
          f"{'b-e yan':>8} {'prior rate':>10}")
    seen = set()
    for entry in PUBLISHED:
        key = (entry.preset, entry.timesteps, entry.input_size)
        if key in seen:
            continue
        seen.add(key)
        cfg = get_preset(entry.preset).replace(timesteps=entry.timesteps,
                                               input_size=entry.input_size)
        cost = count_costs(cfg)
        rates = prior_rates(cost)
        traffic = layer_traffic(cost)
        compute = estimate_energy(cost, rates, rate_source="prior").energy_mj
        memory = _report(traffic, rates, "horowitz45", cfg.timesteps)
        compute_only = _report(traffic, rates, "horowitz45", cfg.timesteps, movement=False)
        yan = _report(traffic, rates, "yan-typical", cfg.timesteps)
        print(f"{entry.preset:22} {cfg.timesteps:>2} {cfg.input_size:>4} "
              f"{twin_bits(cfg.timesteps):>4} {compute:>10.3f} {memory.energy_mj:>10.3f} "
              f"{100 * memory.movement_mj / memory.energy_mj:>7.1f} {memory.twin_mj:>9.3f} "
              f"{compute_only.breakeven_rate:>8.4f} {memory.breakeven_rate:>8.4f} "
              f"{yan.breakeven_rate:>8.4f} {memory.mean_rate:>10.4f}")


if __name__ == "__main__":
    main()
