"""Real networks in plain ``torch.nn`` (no torchvision), with the module paths of their reference code.

Each factory takes no required argument and returns an ``nn.Module`` in training mode, with
torch's default initialisation (plus the constant initialisations the architecture defines,
such as ConvNeXt's layer scale): these models are for reading, counting and tracing, not for
training recipes. Where a classifier exists, ``classes`` sets its width (1000 by default).

Module paths follow the code each network is best known by, so that a summary row can be
matched by name:

* :func:`vgg16` and :func:`mobilenet_v1`: ``keras.applications`` (``block1_conv1``,
  ``conv_dw_1_bn``), as the specs :func:`snippets.networks.vgg16` and
  :func:`snippets.networks.mobilenet_v1` name them;
* :func:`resnet50`, :func:`resnext50_32x4d`, :func:`mobilenet_v2` and :func:`convnext_tiny`:
  ``torchvision.models`` (``layer1.0.downsample.0``, ``features.3.conv.1.0``);
* :func:`wav2vec2_feature_encoder`: fairseq's ``ConvFeatureExtractionModel``
  (``conv_layers.0.0``).

Output sizes follow ``floor((n + p_before + p_after - d (k - 1) - 1) / s) + 1`` per spatial
axis (:func:`snippets.shapes.conv_output_shape`); a convolution holds
``k_h k_w (C_in / groups) C_out (+ C_out bias)`` parameters, a BatchNorm or LayerNorm
``2 C`` (its running statistics are buffers, not parameters).
"""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

__all__ = [
    "Bottleneck",
    "CNBlock",
    "Conv2dNormActivation",
    "ConvNeXt",
    "InvertedResidual",
    "LayerNorm2d",
    "MobileNetV2",
    "Permute",
    "ResNet",
    "SmallModel",
    "StochasticDepth",
    "Wav2Vec2FeatureEncoder",
    "convnext_tiny",
    "mobilenet_v1",
    "mobilenet_v2",
    "resnet50",
    "resnext50_32x4d",
    "small_model",
    "vgg16",
    "wav2vec2_feature_encoder",
]


def _check_classes(classes: int) -> int:
    """``classes`` as given, or a ValueError naming it when it is not a positive int."""
    if isinstance(classes, bool) or not isinstance(classes, int) or classes < 1:
        raise ValueError(f"classes must be a positive int, got {classes!r}")
    return classes


# --- VGG16 ----------------------------------------------------------------------------------------


def vgg16(classes: int = 1000) -> nn.Sequential:
    """VGG16, configuration D of Simonyan & Zisserman, "Very Deep Convolutional Networks for
    Large-Scale Image Recognition" (ICLR 2015), named as ``keras.applications.VGG16``.

    Layout, on a ``(3, 224, 224)`` input: five blocks of 3x3 convolutions with stride 1,
    padding 1 (Keras' 'same': ``n`` in, ``n`` out) and biases, ``(64, 64)``, ``(128, 128)``,
    ``(256, 256, 256)``, ``(512, 512, 512)``, ``(512, 512, 512)`` filters, each block ending in
    a 2x2 stride-2 max-pool (``blockB_pool``: 224 to 7 after five); ``flatten`` (25,088
    features), ``fc1`` and ``fc2`` (4096 each) and ``predictions`` (``classes``). A ReLU
    module ``<name>_relu`` follows every convolution and ``fc1``/``fc2``; ``predictions``
    gives logits (Keras applies a softmax there; torchvision gives logits too). There is no
    dropout and no adaptive pooling, as in Keras (torchvision adds both), so the input must be
    224x224. torch flattens ``(C, H, W)`` where Keras flattens ``(H, W, C)``: the same
    25,088 features in another order, the same parameter count.
    """
    classes = _check_classes(classes)
    layers: OrderedDict[str, nn.Module] = OrderedDict()
    channels = 3
    for block, (filters, convs) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)], 1):
        for index in range(1, convs + 1):
            name = f"block{block}_conv{index}"
            layers[name] = nn.Conv2d(channels, filters, 3, padding=1)
            layers[f"{name}_relu"] = nn.ReLU(inplace=True)
            channels = filters
        layers[f"block{block}_pool"] = nn.MaxPool2d(2, 2)
    layers["flatten"] = nn.Flatten(1)
    layers["fc1"] = nn.Linear(channels * 7 * 7, 4096)
    layers["fc1_relu"] = nn.ReLU(inplace=True)
    layers["fc2"] = nn.Linear(4096, 4096)
    layers["fc2_relu"] = nn.ReLU(inplace=True)
    layers["predictions"] = nn.Linear(4096, classes)
    return nn.Sequential(layers)


# --- ResNet-50 and ResNeXt-50 ----------------------------------------------------------------------


class Bottleneck(nn.Module):
    """ResNet's bottleneck block, torchvision's "v1.5" (the stride in the 3x3 convolution).

    ``width = int(planes * base_width / 64) * groups``; main path ``conv1`` 1x1 (``C_in`` to
    ``width``), ``bn1``, ReLU, ``conv2`` 3x3 stride ``stride`` padding 1 with ``groups``
    groups, ``bn2``, ReLU, ``conv3`` 1x1 (``width`` to ``4 planes``), ``bn3``; convolutions
    have no bias. The shortcut is the input, or ``downsample`` (1x1 stride ``stride`` conv and
    BatchNorm) when the shape changes; ``out += identity``, then ReLU (the one ``relu``
    module, used three times).
    """

    expansion = 4

    def __init__(
        self,
        inplanes: int,
        planes: int,
        stride: int = 1,
        downsample: nn.Module | None = None,
        groups: int = 1,
        base_width: int = 64,
    ) -> None:
        super().__init__()
        width = int(planes * (base_width / 64.0)) * groups
        out = planes * self.expansion
        self.conv1 = nn.Conv2d(inplanes, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride, padding=1, groups=groups, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, out, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        return self.relu(out)


class ResNet(nn.Module):
    """torchvision's ResNet with bottleneck blocks: ``conv1`` 7x7 stride 2 padding 3 (64,
    no bias), ``bn1``, ``relu``, ``maxpool`` 3x3 stride 2 padding 1, ``layer1`` to ``layer4``
    with ``layers`` blocks of ``planes`` 64, 128, 256, 512 (the first block of layers 2-4 has
    stride 2; the first of every layer a ``downsample`` shortcut), ``avgpool``
    (``AdaptiveAvgPool2d(1)``), ``torch.flatten`` and ``fc`` (``2048`` to ``classes``)."""

    def __init__(
        self,
        layers: tuple[int, int, int, int],
        classes: int = 1000,
        groups: int = 1,
        width_per_group: int = 64,
    ) -> None:
        super().__init__()
        classes = _check_classes(classes)
        self.inplanes = 64
        self.groups = groups
        self.base_width = width_per_group
        self.conv1 = nn.Conv2d(3, 64, 7, 2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, padding=1)
        self.layer1 = self._make_layer(64, layers[0], 1)
        self.layer2 = self._make_layer(128, layers[1], 2)
        self.layer3 = self._make_layer(256, layers[2], 2)
        self.layer4 = self._make_layer(512, layers[3], 2)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(512 * Bottleneck.expansion, classes)
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")

    def _make_layer(self, planes: int, blocks: int, stride: int) -> nn.Sequential:
        """One stage: a first block with stride ``stride`` and a projection shortcut, then
        ``blocks - 1`` blocks with identity shortcuts."""
        out = planes * Bottleneck.expansion
        downsample = nn.Sequential(
            nn.Conv2d(self.inplanes, out, 1, stride, bias=False),
            nn.BatchNorm2d(out),
        )
        kwargs = {"groups": self.groups, "base_width": self.base_width}
        stage = [Bottleneck(self.inplanes, planes, stride, downsample, **kwargs)]
        self.inplanes = out
        stage += [Bottleneck(out, planes, **kwargs) for _ in range(1, blocks)]
        return nn.Sequential(*stage)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = torch.flatten(self.avgpool(x), 1)
        return self.fc(x)


def resnet50(classes: int = 1000) -> ResNet:
    """ResNet-50 of He et al., "Deep Residual Learning for Image Recognition" (CVPR 2016),
    Table 1, as ``torchvision.models.resnet50`` builds it: stages of 3, 4, 6, 3 bottlenecks
    (:class:`Bottleneck`, :class:`ResNet`), the stride in the 3x3 convolution ("ResNet
    v1.5"; the paper puts it in the first 1x1). 224 in, 7x7x2048 before ``avgpool``."""
    return ResNet((3, 4, 6, 3), classes)


def resnext50_32x4d(classes: int = 1000) -> ResNet:
    """ResNeXt-50 (32x4d) of Xie et al., "Aggregated Residual Transformations for Deep
    Neural Networks" (CVPR 2017), Table 1, as ``torchvision.models.resnext50_32x4d`` builds
    it: ResNet-50's layout with 32 groups of width 4 in every 3x3 convolution, so
    ``width = int(planes * 4 / 64) * 32 = 2 planes`` (128, 256, 512, 1024 per stage)."""
    return ResNet((3, 4, 6, 3), classes, groups=32, width_per_group=4)


# --- MobileNetV1 --------------------------------------------------------------------------------


def _keras_bn(channels: int) -> nn.BatchNorm2d:
    """Keras' BatchNormalization defaults in torch: ``epsilon=1e-3``; Keras' moving-average
    ``momentum=0.99`` keeps 0.99 of the old statistic, torch's ``momentum`` is the new share,
    0.01."""
    return nn.BatchNorm2d(channels, eps=1e-3, momentum=0.01)


def mobilenet_v1(classes: int = 1000) -> nn.Sequential:
    """MobileNetV1 (alpha 1.0) of Howard et al., "MobileNets: Efficient Convolutional Neural
    Networks for Mobile Vision Applications" (2017), Table 1, as
    ``keras.applications.MobileNet`` builds and names it.

    ``conv1`` 3x3 stride 2 (32 filters), then 13 pairs ``conv_dw_B`` (3x3 depthwise, stride 2
    in blocks 2, 4, 6 and 12) and ``conv_pw_B`` (1x1 to 64, 128, 128, 256, 256, 512, 512 x 5,
    1024, 1024); each convolution without bias, followed by ``<name>_bn`` (Keras' epsilon and
    momentum, :func:`_keras_bn`) and ``<name>_relu`` (ReLU6). Then
    ``global_average_pooling2d`` (keeping 1x1), ``dropout`` (p = 0.001, Keras' default),
    ``conv_preds`` (1x1 with bias, to ``classes``) and ``reshape_2`` (flatten to
    ``(classes,)``; logits, Keras adds a softmax named ``predictions``).

    Padding reproduces Keras' 'same': a stride-1 3x3 layer pads 1 on every side; a stride-2
    3x3 layer on an even input ``n`` pads ``(ceil(n / 2) - 1) 2 + 3 - n = 1`` in total, 0
    before and 1 after (:func:`snippets.shapes.padding_amounts`), which torch's symmetric
    ``padding=`` cannot say: a ``nn.ZeroPad2d((0, 1, 0, 1))`` precedes each stride-2 layer,
    whose own padding is 0. Keras itself does this with ``ZeroPadding2D`` layers named
    ``conv_pad_B`` before the stride-2 depthwise layers (kept here); for ``conv1`` Keras'
    Conv2D pads inside itself, so the pad module here has a name of its own, ``conv1_pad``.
    Shapes and receptive fields (size, stride, padding) then equal Keras' on a 224 input:
    224, 112, 56, 28, 14, 7.
    """
    classes = _check_classes(classes)
    layers: OrderedDict[str, nn.Module] = OrderedDict()
    layers["conv1_pad"] = nn.ZeroPad2d((0, 1, 0, 1))
    layers["conv1"] = nn.Conv2d(3, 32, 3, 2, padding=0, bias=False)
    layers["conv1_bn"] = _keras_bn(32)
    layers["conv1_relu"] = nn.ReLU6(inplace=True)
    plan = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)]
    plan += [(512, 1)] * 5 + [(1024, 2), (1024, 1)]
    channels = 32
    for block, (filters, stride) in enumerate(plan, 1):
        if stride == 2:
            layers[f"conv_pad_{block}"] = nn.ZeroPad2d((0, 1, 0, 1))
        padding = 1 if stride == 1 else 0
        dw, pw = f"conv_dw_{block}", f"conv_pw_{block}"
        layers[dw] = nn.Conv2d(channels, channels, 3, stride, padding=padding, groups=channels, bias=False)
        layers[f"{dw}_bn"] = _keras_bn(channels)
        layers[f"{dw}_relu"] = nn.ReLU6(inplace=True)
        layers[pw] = nn.Conv2d(channels, filters, 1, bias=False)
        layers[f"{pw}_bn"] = _keras_bn(filters)
        layers[f"{pw}_relu"] = nn.ReLU6(inplace=True)
        channels = filters
    layers["global_average_pooling2d"] = nn.AdaptiveAvgPool2d(1)
    layers["dropout"] = nn.Dropout(1e-3)
    layers["conv_preds"] = nn.Conv2d(channels, classes, 1)
    layers["reshape_2"] = nn.Flatten(1)
    return nn.Sequential(layers)


# --- MobileNetV2 --------------------------------------------------------------------------------


class Conv2dNormActivation(nn.Sequential):
    """torchvision's ``Conv2dNormActivation``: ``0`` a Conv2d with padding
    ``(k - 1) // 2 * dilation`` (output ``ceil(n / s)`` for odd ``k``), ``1`` a norm layer,
    ``2`` an activation (none when ``activation`` is None). The convolution has a bias only
    when there is no norm layer, unless ``bias`` says otherwise."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int = 3,
        stride: int = 1,
        padding: int | None = None,
        groups: int = 1,
        norm: type[nn.Module] | None = nn.BatchNorm2d,
        activation: type[nn.Module] | None = nn.ReLU6,
        dilation: int = 1,
        bias: bool | None = None,
        norm_eps: float | None = None,
    ) -> None:
        padding = (kernel_size - 1) // 2 * dilation if padding is None else padding
        bias = norm is None if bias is None else bias
        layers: list[nn.Module] = [
            nn.Conv2d(
                in_channels, out_channels, kernel_size, stride, padding, dilation, groups=groups, bias=bias
            )
        ]
        if norm is not None:
            layers.append(norm(out_channels) if norm_eps is None else norm(out_channels, eps=norm_eps))
        if activation is not None:
            layers.append(activation(inplace=True))
        super().__init__(*layers)
        self.out_channels = out_channels


class InvertedResidual(nn.Module):
    """MobileNetV2's inverted residual block, torchvision's layout: ``conv`` is a Sequential
    of an expansion 1x1 (``C_in`` to ``hidden = round(C_in t)``, BN, ReLU6; absent when
    ``t = 1``), a 3x3 depthwise with stride ``stride`` (BN, ReLU6), and a linear 1x1 projection
    to ``C_out`` with BN. The input is added (``x + conv(x)``) when ``stride == 1`` and
    ``C_in == C_out``."""

    def __init__(self, inp: int, oup: int, stride: int, expand_ratio: int) -> None:
        super().__init__()
        if stride not in (1, 2):
            raise ValueError(f"stride must be 1 or 2, got {stride!r}")
        self.stride = stride
        hidden = int(round(inp * expand_ratio))
        self.use_res_connect = stride == 1 and inp == oup
        layers: list[nn.Module] = []
        if expand_ratio != 1:
            layers.append(Conv2dNormActivation(inp, hidden, kernel_size=1))
        layers += [
            Conv2dNormActivation(hidden, hidden, stride=stride, groups=hidden),
            nn.Conv2d(hidden, oup, 1, 1, 0, bias=False),
            nn.BatchNorm2d(oup),
        ]
        self.conv = nn.Sequential(*layers)
        self.out_channels = oup

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.use_res_connect:
            return x + self.conv(x)
        return self.conv(x)


class MobileNetV2(nn.Module):
    """torchvision's MobileNetV2 (width 1.0): ``features.0`` a 3x3 stride-2 conv to 32,
    ``features.1`` to ``features.17`` the inverted residuals of the table
    ``(t, c, n, s)`` = (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
    (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1) (stride ``s`` in the first of each ``n``),
    ``features.18`` a 1x1 conv to 1280; global average pooling and flatten in ``forward``;
    ``classifier`` = Dropout(0.2), Linear(1280, ``classes``)."""

    settings = (
        (1, 16, 1, 1),
        (6, 24, 2, 2),
        (6, 32, 3, 2),
        (6, 64, 4, 2),
        (6, 96, 3, 1),
        (6, 160, 3, 2),
        (6, 320, 1, 1),
    )

    def __init__(self, classes: int = 1000, dropout: float = 0.2) -> None:
        super().__init__()
        classes = _check_classes(classes)
        channels, last = 32, 1280
        features: list[nn.Module] = [Conv2dNormActivation(3, channels, stride=2)]
        for t, c, n, s in self.settings:
            for index in range(n):
                features.append(InvertedResidual(channels, c, s if index == 0 else 1, t))
                channels = c
        features.append(Conv2dNormActivation(channels, last, kernel_size=1))
        self.features = nn.Sequential(*features)
        self.classifier = nn.Sequential(nn.Dropout(p=dropout), nn.Linear(last, classes))
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out")
            elif isinstance(module, nn.Linear):
                nn.init.normal_(module.weight, 0, 0.01)
                nn.init.zeros_(module.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)
        x = nn.functional.adaptive_avg_pool2d(x, 1)
        x = torch.flatten(x, 1)
        return self.classifier(x)


def mobilenet_v2(classes: int = 1000) -> MobileNetV2:
    """MobileNetV2 of Sandler et al., "MobileNetV2: Inverted Residuals and Linear
    Bottlenecks" (CVPR 2018), Table 2, as ``torchvision.models.mobilenet_v2`` builds it
    (:class:`MobileNetV2`, :class:`InvertedResidual`). 224 in, 7x7x1280 before pooling."""
    return MobileNetV2(classes)


# --- ConvNeXt-T ---------------------------------------------------------------------------------


class LayerNorm2d(nn.LayerNorm):
    """LayerNorm over the channels of a ``(N, C, H, W)`` tensor, as torchvision's: permute to
    channels-last, normalise each position over its ``C`` values
    (``(x - mean) / sqrt(var + eps) * weight + bias``), permute back."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.permute(0, 2, 3, 1)
        x = nn.functional.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)


class Permute(nn.Module):
    """``torch.permute(x, dims)`` as a module (torchvision.ops.misc.Permute)."""

    def __init__(self, dims: list[int]) -> None:
        super().__init__()
        self.dims = list(dims)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.permute(x, self.dims)


class StochasticDepth(nn.Module):
    """Stochastic depth, "row" mode (Huang et al. 2016; torchvision.ops.StochasticDepth):
    in training, each sample's residual branch is kept with probability ``1 - p`` and then
    divided by ``1 - p``; in eval mode (or with ``p = 0``) it returns its input."""

    def __init__(self, p: float) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p must be a probability in [0, 1], got {p!r}")
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        survival = 1.0 - self.p
        noise = torch.empty((x.shape[0],) + (1,) * (x.ndim - 1), dtype=x.dtype, device=x.device)
        noise = noise.bernoulli_(survival)
        if survival > 0.0:
            noise.div_(survival)
        return x * noise


class CNBlock(nn.Module):
    """ConvNeXt's block, torchvision's layout: ``block`` = 7x7 depthwise conv (padding 3,
    bias), Permute to NHWC, LayerNorm(C, eps 1e-6), Linear(C, 4C), GELU, Linear(4C, C),
    Permute back; ``result = layer_scale * block(x)`` (``layer_scale`` a parameter of shape
    ``(C, 1, 1)``, initialised to ``layer_scale``), then stochastic depth, then ``+= x``."""

    def __init__(self, dim: int, layer_scale: float, stochastic_depth_prob: float) -> None:
        super().__init__()
        self.block = nn.Sequential(
            nn.Conv2d(dim, dim, kernel_size=7, padding=3, groups=dim, bias=True),
            Permute([0, 2, 3, 1]),
            nn.LayerNorm(dim, eps=1e-6),
            nn.Linear(dim, 4 * dim),
            nn.GELU(),
            nn.Linear(4 * dim, dim),
            Permute([0, 3, 1, 2]),
        )
        self.layer_scale = nn.Parameter(torch.ones(dim, 1, 1) * layer_scale)
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        result = self.layer_scale * self.block(x)
        result = self.stochastic_depth(result)
        result += x
        return result


class ConvNeXt(nn.Module):
    """torchvision's ConvNeXt: ``features.0`` the stem (Conv2d(3, dims[0], 4, stride 4) and
    LayerNorm2d), then for each stage ``i`` a Sequential of ``depths[i]`` :class:`CNBlock`
    (``features.1, 3, 5, 7``) and between stages a downsampling Sequential(LayerNorm2d,
    Conv2d(C, 2C, 2, stride 2)) (``features.2, 4, 6``); ``avgpool`` AdaptiveAvgPool2d(1);
    ``classifier`` = Sequential(LayerNorm2d, Flatten(1), Linear). Block ``j`` of ``J`` (counted
    over the whole network) drops with probability ``stochastic_depth_prob * j / (J - 1)``."""

    def __init__(
        self,
        depths: tuple[int, ...] = (3, 3, 9, 3),
        dims: tuple[int, ...] = (96, 192, 384, 768),
        classes: int = 1000,
        stochastic_depth_prob: float = 0.1,
        layer_scale: float = 1e-6,
    ) -> None:
        super().__init__()
        classes = _check_classes(classes)
        if len(depths) != len(dims) or not depths:
            raise ValueError(f"depths and dims must be non-empty and of one length, got {depths!r}, {dims!r}")
        features: list[nn.Module] = [
            nn.Sequential(nn.Conv2d(3, dims[0], kernel_size=4, stride=4), LayerNorm2d(dims[0], eps=1e-6))
        ]
        total, index = sum(depths), 0
        for stage, (depth, dim) in enumerate(zip(depths, dims, strict=True)):
            blocks = []
            for _ in range(depth):
                p = stochastic_depth_prob * index / (total - 1.0) if total > 1 else 0.0
                blocks.append(CNBlock(dim, layer_scale, p))
                index += 1
            features.append(nn.Sequential(*blocks))
            if stage + 1 < len(dims):
                features.append(
                    nn.Sequential(LayerNorm2d(dim, eps=1e-6), nn.Conv2d(dim, dims[stage + 1], 2, stride=2))
                )
        self.features = nn.Sequential(*features)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(
            LayerNorm2d(dims[-1], eps=1e-6), nn.Flatten(1), nn.Linear(dims[-1], classes)
        )
        for module in self.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                nn.init.trunc_normal_(module.weight, std=0.02)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.avgpool(self.features(x)))


def convnext_tiny(classes: int = 1000) -> ConvNeXt:
    """ConvNeXt-T of Liu et al., "A ConvNet for the 2020s" (CVPR 2022), as
    ``torchvision.models.convnext_tiny`` builds it (:class:`ConvNeXt`): depths (3, 3, 9, 3),
    widths (96, 192, 384, 768), layer scale 1e-6, stochastic depth up to 0.1. 224 in: 56, 28,
    14, 7 per stage (any multiple of 32 works)."""
    return ConvNeXt((3, 3, 9, 3), (96, 192, 384, 768), classes)


# --- wav2vec 2.0 feature encoder ------------------------------------------------------------


class Wav2Vec2FeatureEncoder(nn.Module):
    """The convolutional feature encoder of wav2vec 2.0, fairseq's
    ``ConvFeatureExtractionModel`` (mode "default") and its module paths: ``conv_layers.i`` is
    Sequential(``0`` Conv1d without bias, ``1`` Dropout(0.0), ``2`` GroupNorm(512, 512) in
    layer 0 only, then GELU as ``2`` (or ``3`` in layer 0)). Input ``(batch, 1, samples)``
    (fairseq takes ``(batch, samples)`` and adds the channel axis itself); output
    ``(batch, 512, frames)``, ``frames = floor((n - k) / s) + 1`` applied layer by layer."""

    kernels = (10, 3, 3, 3, 3, 2, 2)
    strides = (5, 2, 2, 2, 2, 2, 2)

    def __init__(self, channels: int = 512, dropout: float = 0.0) -> None:
        super().__init__()
        layers = []
        previous = 1
        for index, (k, s) in enumerate(zip(self.kernels, self.strides, strict=True)):
            parts: list[nn.Module] = [
                nn.Conv1d(previous, channels, k, stride=s, bias=False),
                nn.Dropout(dropout),
            ]
            if index == 0:
                parts.append(nn.GroupNorm(channels, channels, affine=True))
            parts.append(nn.GELU())
            layers.append(nn.Sequential(*parts))
            previous = channels
        self.conv_layers = nn.ModuleList(layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.conv_layers:
            x = layer(x)
        return x


def wav2vec2_feature_encoder() -> Wav2Vec2FeatureEncoder:
    """The feature encoder of Baevski et al., "wav2vec 2.0: A Framework for Self-Supervised
    Learning of Speech Representations" (NeurIPS 2020), section 4.2: seven blocks of 512
    channels, strides (5, 2, 2, 2, 2, 2, 2), kernels (10, 3, 3, 3, 3, 2, 2), "an encoder output
    frequency of 49 hz with a stride of about 20ms between each sample, and a receptive field
    of 400 input samples or 25ms of audio" (at 16 kHz: a frame every 320 samples). GELU after
    each convolution, GroupNorm after the first only, as fairseq's default extractor mode
    (the BASE model's). (:class:`Wav2Vec2FeatureEncoder`)"""
    return Wav2Vec2FeatureEncoder()


# --- the summariser's demo model -------------------------------------------------------------


class _ResidualBlock(nn.Module):
    """``relu(bn(conv(x)) + x)`` with a 3x3 dilation-2 padding-2 convolution (32 to 32), so
    the map keeps its size: ``n + 4 - 2 (3 - 1) - 1 + 1 = n``."""

    def __init__(self, channels: int = 32) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=2, dilation=2)
        self.bn = nn.BatchNorm2d(channels)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.bn(self.conv(x))
        out += x
        return self.relu(out)


class SmallModel(nn.Module):
    """The summariser page's demo: ``stem`` (``stem.conv`` 3x3 stride 2 padding 1, 3 to 32,
    ``stem.bn``, ``stem.relu``), ``block`` (:class:`_ResidualBlock`: ``block.conv``,
    ``block.bn``, the sum, ``block.relu``), ``pool`` 2x2 max-pool, ``up`` a 4x4 stride-2
    padding-1 transposed convolution to 16 channels, ``(n - 1) 2 - 2 + 4 = 2 n``.
    ``(3, 16, 16)`` in: 8x8 after the stem and the block, 4x4 after ``pool``, ``(16, 8, 8)`` out."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Sequential(
            OrderedDict(
                conv=nn.Conv2d(3, 32, 3, stride=2, padding=1),
                bn=nn.BatchNorm2d(32),
                relu=nn.ReLU(inplace=True),
            )
        )
        self.block = _ResidualBlock(32)
        self.pool = nn.MaxPool2d(2)
        self.up = nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.up(self.pool(self.block(self.stem(x))))


def small_model() -> SmallModel:
    """The demo model of the summariser page (:class:`SmallModel`), for a ``(16, 16, 3)``
    channels-last input, ``(1, 3, 16, 16)`` in torch; output ``(1, 16, 8, 8)``."""
    return SmallModel()
