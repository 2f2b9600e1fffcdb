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


def _bottleneck(x, planes: int, stride: int, project: bool, groups: int, width: int, name: str):
    """torchvision's bottleneck in Keras: 1x1, BN, ReLU; 3x3 with ``groups`` groups and the
    stride, padded 1 on every side (``ZeroPadding2D(1)`` and 'valid', as PyTorch's
    ``padding=1``), BN, ReLU; 1x1 to ``4 planes``, BN; a projection shortcut (1x1 with the
    stride, BN) when ``project``; the sum, then ReLU. No convolution has a bias."""
    shortcut = x
    y = layers.Conv2D(width, 1, use_bias=False, name=f"{name}_conv1")(x)
    y = layers.BatchNormalization(epsilon=1e-5, name=f"{name}_bn1")(y)
    y = layers.ReLU(name=f"{name}_relu1")(y)
    y = layers.ZeroPadding2D(1, name=f"{name}_pad2")(y)
    y = layers.Conv2D(width, 3, strides=stride, groups=groups, use_bias=False, name=f"{name}_conv2")(y)
    y = layers.BatchNormalization(epsilon=1e-5, name=f"{name}_bn2")(y)
    y = layers.ReLU(name=f"{name}_relu2")(y)
    y = layers.Conv2D(4 * planes, 1, use_bias=False, name=f"{name}_conv3")(y)
    y = layers.BatchNormalization(epsilon=1e-5, name=f"{name}_bn3")(y)
    if project:
        shortcut = layers.Conv2D(4 * planes, 1, strides=stride, use_bias=False, name=f"{name}_downsample_0")(
            x
        )
        shortcut = layers.BatchNormalization(epsilon=1e-5, name=f"{name}_downsample_1")(shortcut)
    y = layers.Add(name=f"{name}_add")([y, shortcut])
    return layers.ReLU(name=f"{name}_relu")(y)


def resnext50_32x4d(classes: int = 1000) -> keras.Model:
    """ResNeXt-50 (32x4d) in Keras (``keras.applications`` has none), laid out and named as
    ``torchvision.models.resnext50_32x4d`` (and :func:`snippets.networks.resnext50_32x4d`):
    the 7x7 stride-2 stem padded 3 and the 3x3 stride-2 max-pool padded 1 (as PyTorch pads:
    ``ZeroPadding2D`` and 'valid'), stages of 3, 4, 6, 3 bottlenecks whose 3x3 convolutions
    have 32 groups of width 4 per 64 ``planes`` (``Conv2D(groups=32)``), global average
    pooling and the dense classifier. Input ``(224, 224, 3)``."""
    image = keras.Input((224, 224, 3), name="image")
    x = layers.ZeroPadding2D(3, name="pad1")(image)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1")(x)
    x = layers.BatchNormalization(epsilon=1e-5, name="bn1")(x)
    x = layers.ReLU(name="relu")(x)
    # PyTorch's max-pool pads with -inf; after a ReLU every value is >= 0, so zeros pool alike
    x = layers.ZeroPadding2D(1, name="pad_pool")(x)
    x = layers.MaxPooling2D(3, strides=2, name="maxpool")(x)
    for stage, (planes, blocks, stride) in enumerate([(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)], 1):
        width = planes * 4 // 64 * 32
        for index in range(blocks):
            step = stride if index == 0 else 1
            x = _bottleneck(x, planes, step, index == 0, 32, width, f"layer{stage}_{index}")
    x = layers.GlobalAveragePooling2D(name="avgpool")(x)
    x = layers.Dense(classes, name="fc")(x)
    return keras.Model(image, x, name="resnext50_32x4d")
