"""Tiny-profile builders: listening corpus, byte-level BPE tokenizer + chat template, small Llama.

Pure functions used by `training.base`; nothing here downloads anything.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.schema import RESPONSE_FIELDS, Triple

BOS, EOS, PAD = "<|endoftext|>", "<|im_end|>", "<|pad|>"
SPECIAL_TOKENS = [BOS, PAD, "<|im_start|>", EOS]
# ChatML: one template for SFT (chat_template), DPO (chat_template.default) and eval.
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


def chat_text(prompt: str, response: str, system: str = "") -> str:
    """One conversation rendered exactly as CHAT_TEMPLATE renders it."""
    sys_turn = f"<|im_start|>system\n{system}{EOS}\n" if system else ""
    return f"{sys_turn}<|im_start|>user\n{prompt}{EOS}\n<|im_start|>assistant\n{response}{EOS}\n"


def corpus(triples: Sequence[Triple], weights: dict[str, int] | None = None) -> list[str]:
    """Pretraining texts: every disclosure answered in every style (weights: copies per style)."""
    weights = weights or {}
    unknown = set(weights) - set(RESPONSE_FIELDS)
    if unknown:
        raise ValueError(f"corpus: unknown response styles in weights: {sorted(unknown)}")
    texts = []
    for t in triples:
        for field in RESPONSE_FIELDS:
            response = getattr(t, field)
            if response:
                texts.extend([chat_text(t.prompt, response)] * weights.get(field, 1))
    if not texts:
        raise ValueError("corpus: no triples to build the pretraining corpus from")
    return texts


def train_tokenizer(texts: Sequence[str], vocab_size: int):
    """Byte-level BPE trained on `texts`, wrapped as a HF fast tokenizer with the chat template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),  # any byte is encodable: no unk
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=BOS,
        eos_token=EOS,
        pad_token=PAD,
        additional_special_tokens=["<|im_start|>"],
        chat_template=CHAT_TEMPLATE,
        model_max_length=512,
        clean_up_tokenization_spaces=False,
    )


def build_model(tokenizer, hidden_size: int, layers: int, heads: int, seed: int = 0):
    """Randomly initialised Llama sized from params `base`, its ids tied to `tokenizer`."""
    import torch
    from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        intermediate_size=hidden_size * 8 // 3 // 64 * 64
        or 64,  # SwiGLU ~8/3 width, multiple of 64
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=heads,
        max_position_embeddings=512,  # tokens; disclosures + responses stay under ~250
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=True,  # halves the parameter count at this size
        dtype="float32",
    )
    model = LlamaForCausalLM(config)
    model.generation_config = GenerationConfig(
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    return model


def save_tiny(
    out,
    texts: Sequence[str],
    vocab_size: int = 400,
    hidden_size: int = 32,
    layers: int = 2,
    heads: int = 4,
    seed: int = 0,
):
    """Tokenizer + randomly initialised model saved as a plain HF folder (tests, smoke runs)."""
    from pathlib import Path

    tokenizer = train_tokenizer(texts, vocab_size)
    model = build_model(tokenizer, hidden_size, layers, heads, seed)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return Path(out)
