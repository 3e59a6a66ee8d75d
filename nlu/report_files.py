"""Write an evaluation report to a directory, as `rasa test nlu` does.

Files: `intent_report.json` (figures and per-intent precision/recall/F1), `errors.json`
(misclassified examples), `confusion_matrix.txt` and `confusion_matrix.png`.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from nlu.evaluation import Report


def confusion_text(report: Report) -> str:
    """The confusion matrix as aligned text: rows are the true intents, columns predicted."""
    labels, matrix = report.confusion()
    short = [label[:8] for label in labels]
    width = max(len(label) for label in labels)
    lines = [" " * (width + 1) + " ".join(f"{s:>8}" for s in short)]
    for label, row in zip(labels, matrix, strict=True):
        cells = " ".join(f"{v:>8}" if v else f"{'.':>8}" for v in row)
        lines.append(f"{label:>{width}} {cells}")
    return "\n".join(lines)


def write_confusion_png(report: Report, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on servers and in CI
    import matplotlib.pyplot as plt

    labels, matrix = report.confusion()
    size = max(6.0, 0.45 * len(labels) + 2)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=90)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"Intent confusion matrix (accuracy {report.accuracy:.3f})")
    threshold = matrix.max() / 2 if matrix.size else 0
    for (i, j), value in np.ndenumerate(matrix):
        if value:
            colour = "white" if value > threshold else "black"
            ax.text(j, i, str(value), ha="center", va="center", color=colour, fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_report(report: Report, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {
        "intent_report.json": json.dumps(report.as_dict(), indent=2, ensure_ascii=False),
        "errors.json": json.dumps(report.errors(), indent=2, ensure_ascii=False),
        "confusion_matrix.txt": confusion_text(report) + "\n",
    }
    written = []
    for name, content in files.items():
        (out_dir / name).write_text(content, encoding="utf-8")
        written.append(out_dir / name)
    write_confusion_png(report, out_dir / "confusion_matrix.png")
    written.append(out_dir / "confusion_matrix.png")
    return written
