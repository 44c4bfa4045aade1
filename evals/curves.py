"""Training curves as a PNG (works offline, unlike `dvc plots show`'s HTML): one panel per
training stage, each on its own scale, and DPO's rewards on their own axis."""

from __future__ import annotations

import csv
from pathlib import Path

from core.jsonl import atomic_write_bytes


def read_tsv(path: Path) -> dict[str, list[float]]:
    """Columns of a curve TSV (step, loss, rewards_*) as float lists; {} when absent."""
    if not Path(path).is_file():
        return {}
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return {k: [float(r[k]) for r in rows] for k in (rows[0] if rows else {})}


def plot_curves(tsvs: dict[str, Path], out: Path) -> None:
    """Loss per stage; for DPO also reward accuracy and margin on a second axis."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curves = {name: read_tsv(p) for name, p in tsvs.items()}
    curves = {n: c for n, c in curves.items() if c.get("step")}
    fig, axes = plt.subplots(1, max(len(curves), 1), figsize=(4.2 * max(len(curves), 1), 3.6))
    axes = [axes] if not hasattr(axes, "__len__") else list(axes)
    for ax, (name, c) in zip(axes, curves.items(), strict=False):
        ax.plot(c["step"], c["loss"], label="loss", color="tab:blue")
        ax.set_title(name)
        ax.set_xlabel("step")
        ax.set_ylabel("loss")
        if "rewards_margins" in c:
            right = ax.twinx()
            right.plot(c["step"], c["rewards_accuracies"], color="tab:green", label="reward acc")
            right.plot(c["step"], c["rewards_margins"], color="tab:orange", label="margin")
            right.set_ylabel("reward accuracy / margin")
            right.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    atomic_write_bytes(out, buf.getvalue())
