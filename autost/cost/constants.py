"""The cost model's fixed terms, importable without torch: per-operation energies and the
names of the firing-rate sources.

The energies are those of a 45 nm CMOS process (Horowitz, "Computing's energy problem (and
what we can do about it)", ISSCC 2014): 4.6 pJ per 32-bit floating-point multiply-accumulate
(a 3.7 pJ multiply and a 0.9 pJ add) and 0.9 pJ per accumulate, the constants Spikformer
(Zhou et al., ICLR 2023, appendix C.2) and QKFormer (Zhou et al., NeurIPS 2024, appendix
6.6) charge for dense MACs and for synaptic operations.
"""

E_MAC_PJ = 4.6
E_AC_PJ = 0.9
PJ_PER_MJ = 1e9

# Where the firing rates behind SOPs and energy come from: measured on one calibration batch
# of the model at initialization, the published per-role priors (no forward pass), or
# measured on the trained model (autost train).
RATE_SOURCES = ("init", "prior", "trained")
# Scoring ranks candidates before any of them is trained, so it has the first two only.
SCORING_RATE_SOURCES = RATE_SOURCES[:2]
