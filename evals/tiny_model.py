"""A tiny randomly initialised Llama with a chat template, built locally for offline tests.

    .venv/bin/python -m evals.tiny_model OUT_DIR [--corpus FILE.jsonl]

Nothing is downloaded: the tokenizer is a byte-level BPE trained here with `tokenizers`.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path

CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}<|end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)
SPECIALS = ["<|pad|>", "<|end|>", "<|user|>", "<|assistant|>", "<|system|>"]
FALLBACK_TEXT = [
    "I feel so alone since my sister moved to Leeds.",
    "That sounds lonely. What has it been like without her nearby?",
    "You should call her every day and join a club.",
    "Thank you for sharing that with me.",
]


def build_tiny_llama(out: str | Path, texts: Iterable[str] = (), vocab: int = 400,
                     hidden: int = 32, layers: int = 2, seed: int = 0) -> Path:
    """Train a BPE tokenizer on texts, init a small Llama, save both as a plain HF folder."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    out = Path(out)
    corpus = list(texts) or FALLBACK_TEXT
    bpe = Tokenizer(models.BPE(unk_token=None))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab, special_tokens=SPECIALS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    bpe.train_from_iterator(corpus, trainer)
    tok = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|end|>",
                                  pad_token="<|pad|>", bos_token="<|end|>")
    tok.chat_template = CHAT_TEMPLATE
    torch.manual_seed(seed)
    config = LlamaConfig(vocab_size=len(tok), hidden_size=hidden, intermediate_size=hidden * 2,
                         num_hidden_layers=layers, num_attention_heads=4, num_key_value_heads=4,
                         max_position_embeddings=512, eos_token_id=tok.eos_token_id,
                         pad_token_id=tok.pad_token_id, bos_token_id=tok.bos_token_id,
                         tie_word_embeddings=True)
    LlamaForCausalLM(config).save_pretrained(out)
    tok.save_pretrained(out)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--corpus", help="JSONL triples whose texts train the tokenizer")
    args = ap.parse_args()
    texts: list[str] = []
    if args.corpus:
        from generators.schema import read_triples

        triples, _ = read_triples(args.corpus)
        texts = [t.prompt + " " + t.aligned + " " + t.directive for t in triples]
    print(build_tiny_llama(args.out, texts))


if __name__ == "__main__":
    main()
