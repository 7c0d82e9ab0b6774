"""Command synthesis: pure functions from validated recipes to deployments (no I/O, no globals).

:mod:`builder.synth.select` answers what can run where (and why not); :func:`deploy` turns one
selection into every process to launch; :mod:`builder.synth.edition` holds the rule switches
between API editions.
"""
from builder.synth.deploy import deploy
from builder.synth.deployment import Deployment, Launch, Pool, Selection, SynthesisError
from builder.synth.edition import AUGUST, EDITIONS, JUNE, NEWEST, Edition, edition_named
from builder.synth.hardware import default_hardware, hardware_list, incompatibility
from builder.synth.layout import HardwarePlan, candidates, plan_hardware
from builder.synth.select import HardwareChoice, default_features, hardware_choices, recommend, strategy_choices

__all__ = [
    "AUGUST", "EDITIONS", "JUNE", "NEWEST", "Deployment", "Edition", "HardwareChoice", "HardwarePlan", "Launch",
    "Pool", "Selection", "SynthesisError", "candidates", "default_features", "default_hardware", "deploy",
    "edition_named", "hardware_choices", "hardware_list", "incompatibility", "plan_hardware", "recommend",
    "strategy_choices",
]
