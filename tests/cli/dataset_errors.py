"""The exact ``Error:`` lines of the commands that read a dataset folder (train, fidelity,
reproduce scatter): one text per condition, shared by their tests."""

_CIFAR_LAYOUT = {
    "cifar10": "cifar-10-batches-py/data_batch_1..5 and test_batch (torchvision's CIFAR-10 "
               "python format)",
    "cifar100": "cifar-100-python/train and test (torchvision's CIFAR-100 python format)",
}
CIFAR10_NEEDS_A_DIR = (
    f"Error: dataset 'cifar10' needs a data directory; expected <dir>/{_CIFAR_LAYOUT['cifar10']}"
    "; pass --data-dir DIR (add --download to fetch it)\n")


def cifar_not_found(dataset: str, folder) -> str:
    return (f"Error: {dataset} not found in {folder}; expected {folder}/"
            f"{_CIFAR_LAYOUT[dataset]}; pass --download to fetch it or point --data-dir at an "
            "existing copy\n")


def fashion_mnist_missing(folder) -> str:
    return (f"Error: Fashion-MNIST folder {folder} does not exist; install Debian's package "
            "dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or point --data-dir "
            "at a folder holding train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz\n")
