"""Command synthesis: pure functions from validated recipes to deployments (no I/O, no globals).

:mod:`builder.synth.select` answers what can run where (and why not); :func:`deploy` turns one
selection into every process to launch.
"""
from builder.synth.deploy import deploy
from builder.synth.deployment import Deployment, Launch, Pool, Selection, SynthesisError
from builder.synth.recommend import recommend
from builder.synth.select import (
    HardwareChoice, default_features, default_hardware, hardware_choices, strategy_choices,
)

__all__ = [
    "Deployment", "HardwareChoice", "Launch", "Pool", "Selection", "SynthesisError", "default_features",
    "default_hardware", "deploy", "hardware_choices", "recommend", "strategy_choices",
]
