"""Axolotl plugin for CPU LoRA runs: bf16 autocast over fp32 weights, no backward below the LoRA.

A recipe turns it on with `plugins: [training.cpu_plugin.CPUPlugin]` (stages run from the
repository root, so Axolotl imports it from there). On a CUDA machine only the hook removal
applies, and only without gradient checkpointing.
Measured on 2 cores, SmolLM2-135M, 240 chats: fp32 164 tokens/s, bf16 autocast 250, bf16
autocast with LoRA on the upper 15 of 30 layers 529 (that last one needs the hook removal below).
In DPO on CPU it also skips TRL's per-step entropy metric (py-spy, 2 cores: 15% of a step).
"""

from __future__ import annotations

import torch
from axolotl.integrations.base import BasePlugin


def no_entropy(logits: torch.Tensor) -> torch.Tensor:
    """NaN per position: the logged DPO `entropy` reads nan, not a made-up value."""
    return torch.full(logits.shape[:-1], float("nan"), dtype=logits.dtype, device=logits.device)


def on_cpu() -> bool:
    return not torch.cuda.is_available()


class CPUPlugin(BasePlugin):
    """Makes `bf16: true` mean autocast on CPU and lets backward stop at the lowest LoRA layer."""

    def get_training_args(self, cfg):
        # Axolotl never passes use_cpu, so TrainingArguments refuses bf16 without a GPU
        return {"use_cpu": True} if on_cpu() else None

    def pre_model_load(self, cfg):
        # bf16: true would load bf16 weights; fp32 weights under autocast are faster on this CPU
        # (plain loop: 378 vs 267 tokens/s) and merge-lora then writes an fp32 model
        if on_cpu() and cfg.bf16:
            cfg.torch_dtype = torch.float32

    def post_model_load(self, cfg, model):
        # Axolotl makes the embedding output require grad for every adapter, which is needed only
        # by gradient checkpointing; without it, backward also runs through the frozen layers
        # below the lowest LoRA layer (layers_to_transform), for nothing.
        if not cfg.gradient_checkpointing and hasattr(model, "disable_input_require_grads"):
            model.disable_input_require_grads()

    def post_trainer_create(self, cfg, trainer):
        # TRL's DPO logs the policy's mean entropy every step from a full-vocabulary log_softmax
        # over every position, prompt included (49,152 logits a token, in fp32): 15% of a DPO
        # step on 2 cores (py-spy over 90 s of the small profile's stage), for a logged number
        # nothing reads. The loss never uses it; on CPU it is logged as nan instead.
        if on_cpu() and cfg.rl:
            import trl.trainer.dpo_trainer as dpo_trainer

            dpo_trainer.entropy_from_logits = no_entropy
