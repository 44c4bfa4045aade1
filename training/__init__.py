"""Training stages (base, sft, onpolicy, dpo) and the helpers they share."""
