"""Stand-ins for ``train_architecture`` that Ray workers import (tests/train is on their path).

They keep the Ray tests about Ray: scheduling, reporting, failure handling, not learning.
"""

from autost.train.brief import ArchTraining
from autost.train.loop import TrainResult


def fake_train(cfg, settings, on_epoch):
    """Accuracy grows with embed_dim; embed_dim 8 raises, like a model that cannot train."""
    if cfg.embed_dim == 8:
        raise RuntimeError("boom: embed_dim 8 cannot train")
    accuracies = []
    for epoch in range(1, settings.epochs + 1):
        accuracies.append(min(1.0, cfg.embed_dim / 100 * epoch / settings.epochs))
        on_epoch({"epoch": epoch, "val_accuracy": accuracies[-1], "train_loss": 1.0 / epoch,
                  "seconds": 0.5})
    result = TrainResult(accuracies, [1.0 / e for e in range(1, settings.epochs + 1)], 0.0)
    return ArchTraining(result, energy_mj=cfg.embed_dim * 1e-3, rates={"first": 0.5})
