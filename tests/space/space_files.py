"""The test spaces (TOML files in ``spaces/``), a loader for variants of them, and a trial
that draws its suggestions at random."""

from pathlib import Path

from autost.space import load_space

SPACES = Path(__file__).with_name("spaces")


def space_text(name: str) -> str:
    """The TOML text of the test space ``spaces/<name>.toml``."""
    return (SPACES / f"{name}.toml").read_text()


def space_of(tmp_path, text: str):
    """The space that ``text`` defines, loaded from a file as a user's space is."""
    path = tmp_path / "space.toml"
    path.write_text(text)
    return load_space(str(path))


class RandomTrial:
    """A stand-in trial whose suggestions come from random.Random, as sample() draws them."""

    def __init__(self, rng):
        self.rng, self.params = rng, {}

    def suggest_categorical(self, name, choices):
        self.params[name] = self.rng.choice(tuple(choices))
        return self.params[name]

    def suggest_int(self, name, low, high, step=1):
        self.params[name] = self.rng.randrange(low, high + 1, step)
        return self.params[name]
