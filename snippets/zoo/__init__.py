"""Real networks written out in plain framework code, for the summariser to read.

``snippets.zoo.torch_models`` holds ``torch.nn`` definitions of VGG16, ResNet-50,
ResNeXt-50 32x4d, MobileNetV1, MobileNetV2, ConvNeXt-T, the wav2vec 2.0 feature encoder and
a small demo model, with torchvision's (or Keras', or fairseq's) module paths, so that a
summary of a module can be compared row by row with the specs of :mod:`snippets.networks`
and with published parameter counts. Nothing is imported here: ``import snippets`` and
``import snippets.zoo`` need no torch; only ``snippets.zoo.torch_models`` imports it.
"""
