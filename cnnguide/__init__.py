"""cnnguide: convolutional networks with PyTorch, from the operators up.

Modules, one concept each:

- :mod:`cnnguide.ops` -- convolution, pooling and their arithmetic, from scratch;
- :mod:`cnnguide.figures` -- the book's pictures, drawn from computed values;
- :mod:`cnnguide.data` -- Fashion-MNIST, offline and verified;
- :mod:`cnnguide.train` -- the training loop;
- :mod:`cnnguide.models` -- LeNet, VGG, ResNet, GoogLeNet and DenseNet;
- :mod:`cnnguide.summary` -- layer tables with shapes, parameters and FLOPs;
- :mod:`cnnguide.cli` -- the ``cnnguide`` command.
"""

__version__ = "0.1.0"
