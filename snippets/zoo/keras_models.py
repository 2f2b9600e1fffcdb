"""Keras 3 twins of networks in :mod:`snippets.zoo.torch_models`, for the summariser's tests
and pages. Importing this module imports Keras; ``import snippets`` does not."""

from __future__ import annotations

import keras
from keras import layers


def small_model() -> keras.Model:
    """The summariser's demo model, as :func:`snippets.zoo.torch_models.small_model` in Keras.

    Input ``(16, 16, 3)``. PyTorch's ``Conv2d(3, 32, 3, stride=2, padding=1)`` pads one pixel
    on every side; Keras' ``'same'`` would pad a stride-2 convolution of an even input only
    after, so the stem is ``ZeroPadding2D(1)`` and a ``'valid'`` convolution. The dilated
    convolution's ``'same'`` pads 2 on every side, as PyTorch's ``padding=2``. The transposed
    convolution's ``'same'`` with kernel 4 and stride 2 crops 1 on every side, as PyTorch's
    ``padding=1``. Output ``(8, 8, 16)``.
    """
    image = keras.Input((16, 16, 3), name="image")
    x = layers.ZeroPadding2D(1, name="stem_pad")(image)
    x = layers.Conv2D(32, 3, strides=2, name="stem_conv")(x)
    x = layers.BatchNormalization(epsilon=1e-5, name="stem_bn")(x)
    x = layers.ReLU(name="stem_relu")(x)
    y = layers.Conv2D(32, 3, padding="same", dilation_rate=2, name="block_conv")(x)
    y = layers.BatchNormalization(epsilon=1e-5, name="block_bn")(y)
    x = layers.Add(name="block_add")([x, y])
    x = layers.ReLU(name="block_relu")(x)
    x = layers.MaxPooling2D(2, name="pool")(x)
    x = layers.Conv2DTranspose(16, 4, strides=2, padding="same", name="up")(x)
    return keras.Model(image, x, name="small_model")
