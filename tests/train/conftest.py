"""A tiny hand-written spiking network, so the training loop is tested without the builder."""

import pytest
import torch
from torch import nn

from autost.layers.neuron import LIF


class TinySpikingNet(nn.Module):
    """Conv-BN-LIF twice, mean over time and space, linear head; direct encoding over T."""

    def __init__(self, in_channels: int = 1, num_classes: int = 10, width: int = 16,
                 timesteps: int = 2):
        super().__init__()
        self.timesteps = timesteps
        self.conv1 = nn.Sequential(nn.Conv2d(in_channels, width, 3, padding=1, bias=False),
                                   nn.BatchNorm2d(width))
        self.conv2 = nn.Sequential(nn.Conv2d(width, 2 * width, 3, stride=2, padding=1,
                                             bias=False), nn.BatchNorm2d(2 * width))
        self.lif1, self.lif2 = LIF(), LIF()
        self.head = nn.Linear(2 * width, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        t, b = self.timesteps, x.shape[0]
        x = x.unsqueeze(0).repeat(t, 1, 1, 1, 1).flatten(0, 1)
        x = self.lif1(self.conv1(x).unflatten(0, (t, b))).flatten(0, 1)
        x = self.lif2(self.conv2(x).unflatten(0, (t, b)))
        return self.head(x.mean(dim=(0, 3, 4)))


@pytest.fixture
def tiny_net():
    def make(**kwargs):
        torch.manual_seed(0)
        return TinySpikingNet(**kwargs)

    return make


@pytest.fixture(scope="session")
def local_ray(local_ray):
    """The session's Ray, able to unpickle trials defined in the test helper module."""
    import fake_training
    import ray.cloudpickle

    ray.cloudpickle.register_pickle_by_value(fake_training)
    yield
