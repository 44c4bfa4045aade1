"""Code more than one stage uses: records, JSONL I/O, detectors, dedup, params, Claude."""
