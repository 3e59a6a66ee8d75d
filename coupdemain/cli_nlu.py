"""`coupdemain nlu ...`: train, test, parse, cross-validate, export-rasa, corrections export.

The models directory defaults to `var/models/nlu` under the current directory; `parse` and
`test` train first (and say so on stderr) when the model there is missing or stale.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, BinaryIO

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

# nlu (scikit-learn, dateparser) is imported inside the commands: `coupdemain --help` and the
# other sub-apps should not pay a second of imports they do not use.
nlu_app = typer.Typer(no_args_is_help=True)
err = Console(stderr=True)
out = Console()

DEFAULT_MODELS_DIR = Path("var/models/nlu")
MAX_LINE_BYTES = 64 * 1024  # a longer stdin line is cut there (the model reads 1,000 chars)

ModelsDir = Annotated[
    Path, typer.Option("--models-dir", help="Where model artefacts live.", show_default=True)
]
DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Rasa YAML training data (default: nlu/data)."),
]
Threshold = Annotated[
    float, typer.Option("--threshold", help="Below this confidence: nlu_fallback.")
]


def _data_dir(data_dir: Path | None) -> Path:
    from nlu import DEFAULT_DATA_DIR

    return data_dir or DEFAULT_DATA_DIR


def _parser(models_dir: Path, data_dir: Path | None, threshold: float) -> Any:
    from nlu import load_or_train

    return load_or_train(
        models_dir,
        _data_dir(data_dir),
        notify=lambda message: err.print(f"[yellow]{message}[/]"),
        fallback_threshold=threshold,
    )


NoCorrections = Annotated[
    bool,
    typer.Option(
        "--no-corrections", help="Train on the data alone, without the dispatchers' corrections."
    ),
]


def _corrections(data: Any) -> tuple[Any, list[str]]:
    """The data with the corrections of the configured database, and what to say about it."""
    from coupdemain.nlu_corrections import read_corrections
    from coupdemain.settings import Settings
    from nlu.corrections import with_corrections

    corrections, why = read_corrections(Settings().resolved_database_url)
    if why:
        return data, [f"[yellow]no dispatcher corrections used: {why}[/]"]
    merged = with_corrections(data, corrections)
    said = [f"{len(merged.examples)} dispatcher corrections used"]
    if merged.already_known:
        said[0] += f" ({merged.already_known} already in the training data, same label)"
    said += [
        f"[yellow]a correction wins over {o.source}: {o.text!r} was {o.was}, now {o.now}[/]"
        for o in merged.overridden
    ]
    return merged.data, said


@nlu_app.command()
def train(
    models_dir: ModelsDir = DEFAULT_MODELS_DIR,
    data_dir: DataDir = None,
    no_corrections: NoCorrections = False,
) -> None:
    """Train the local model on nlu/data and the dispatchers' corrections (from the database
    at COUPDEMAIN_DATABASE_URL, when it is there); write a new versioned artefact."""
    from nlu.artefact import save_model
    from nlu.model import TRAINING_STEPS, train_model
    from nlu.training_data import load_training_data

    started = time.perf_counter()
    steps = ("load data", *TRAINING_STEPS, "save")
    said: list[str] = []
    with Progress(
        TextColumn("{task.description:<12}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
    ) as progress:
        task = progress.add_task("load data", total=len(steps))
        data = load_training_data(_data_dir(data_dir))
        if not no_corrections:
            data, said = _corrections(data)

        def on_step(name: str) -> None:
            progress.update(task, description=name, advance=1)

        model = train_model(data, on_step=on_step)
        progress.update(task, description="save", advance=1)
        info = save_model(model, models_dir, training_seconds=time.perf_counter() - started)
        progress.update(task, advance=1)
    for line in said:
        # Unwrapped: these lines carry paths and sentences people copy from the terminal.
        err.print(line, highlight=False, soft_wrap=True)
    meta = info.metadata
    err.print(
        f"[green]model {info.version}[/] -> {info.path}  ({len(data.examples)} examples, "
        f"{len(meta['intents'])} intents, {len(meta['services'])} services, "
        f"{meta['training_seconds']:.1f} s)"
    )


def _read_lines(stream: BinaryIO) -> Any:
    """Yield decoded lines, each at most MAX_LINE_BYTES (the rest of a longer line is dropped)."""
    while True:
        line = stream.readline(MAX_LINE_BYTES)
        if not line:
            return
        if not line.endswith(b"\n") and len(line) >= MAX_LINE_BYTES:
            rest = line
            while rest and not rest.endswith(b"\n"):
                rest = stream.readline(MAX_LINE_BYTES)
        yield line.decode("utf-8", errors="replace").rstrip("\r\n")


def _request(line: str) -> tuple[str, str | None, datetime | None]:
    """A stdin line -> (text, lang, now): plain text, or a JSON object with a `text` field."""
    if not line.lstrip().startswith("{"):
        return line, None, None
    try:
        obj = json.loads(line)
    except ValueError:
        return line, None, None  # not JSON after all: it is the message
    if not isinstance(obj, dict):
        return line, None, None
    text = obj.get("text")
    text = text if isinstance(text, str) else ""
    lang = obj.get("lang") if isinstance(obj.get("lang"), str) else None
    now = None
    if isinstance(obj.get("now"), str):
        try:
            now = datetime.fromisoformat(obj["now"])
        except ValueError:
            now = None
    # JSON may carry lone surrogates ("\ud800") that no UTF-8 output can hold.
    return text.encode("utf-8", "replace").decode("utf-8"), lang, now


@nlu_app.command()
def parse(
    models_dir: ModelsDir = DEFAULT_MODELS_DIR,
    data_dir: DataDir = None,
    threshold: Threshold = 0.3,
    lang: Annotated[str | None, typer.Option(help="fr or en; detected when omitted.")] = None,
) -> None:
    """Read messages on stdin (one per line, or JSON objects with a `text` field); write one
    Rasa /model/parse JSON object per line."""
    parser = _parser(models_dir, data_dir, threshold)
    write = sys.stdout.write
    for line in _read_lines(sys.stdin.buffer):
        text, line_lang, now = _request(line)
        try:
            result = parser.parse(text, now=now, lang=line_lang or lang)
        except Exception as exc:  # one bad message must not stop the stream
            err.print(f"[red]could not parse {text[:60]!r}: {exc!r}[/]")
            result = parser.parse("", lang=line_lang or lang)
            result["text"] = text
        write(json.dumps(result, ensure_ascii=False) + "\n")
        sys.stdout.flush()


def _figures_table(title: str, rows: list[tuple[str, str]]) -> Table:
    table = Table(title=title, show_header=False)
    for name, value in rows:
        table.add_row(name, value)
    return table


@nlu_app.command()
def test(
    file: Annotated[Path, typer.Argument(help="Labelled examples: .jsonl or Rasa YAML.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Where to write the report.")] = Path(
        "var/nlu-test"
    ),
    models_dir: ModelsDir = DEFAULT_MODELS_DIR,
    data_dir: DataDir = None,
    threshold: Threshold = 0.3,
) -> None:
    """Evaluate like `rasa test nlu`: accuracy, per-intent P/R/F1, confusion matrix."""
    from nlu.evaluation import evaluate, read_labelled
    from nlu.report_files import confusion_text, write_report

    if not file.exists():
        err.print(f"[red]no such file: {file}[/]")
        raise typer.Exit(2)
    try:
        examples = read_labelled(file)
    except ValueError as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    report = evaluate(_parser(models_dir, data_dir, threshold), examples)
    table = Table(title=f"Intents ({len(examples)} examples from {file})")
    for column in ("intent", "precision", "recall", "f1-score", "support"):
        table.add_column(column, justify="left" if column == "intent" else "right")
    for intent, row in report.per_intent().items():
        table.add_row(
            intent,
            f"{row['precision']:.3f}",
            f"{row['recall']:.3f}",
            f"{row['f1-score']:.3f}",
            str(row["support"]),
        )
    out.print(table)
    rows = [
        ("intent accuracy", f"{report.accuracy:.3f}"),
        ("top-1 accuracy (ignoring fallback)", f"{report.top1_accuracy:.3f}"),
        ("fallback rate", f"{report.fallback_rate:.3f}"),
        ("service accuracy", f"{report.service_accuracy:.3f} ({report.service_count} examples)"),
    ]
    rows += [(f"accuracy, {style}", f"{value:.3f}") for style, value in report.by_style().items()]
    out.print(_figures_table("Summary", rows))
    out.print(confusion_text(report), soft_wrap=True, highlight=False)
    written = write_report(report, out_dir)
    err.print("written: " + ", ".join(str(p) for p in written))


@nlu_app.command("cross-validate")
def cross_validate(
    folds: Annotated[int, typer.Option(help="Number of stratified folds.")] = 5,
    data_dir: DataDir = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Write the pooled report here.")
    ] = None,
    threshold: Threshold = 0.3,
) -> None:
    """Stratified k-fold on the training data: intent and service accuracy."""
    from nlu.evaluation import cross_validate as run
    from nlu.report_files import write_report
    from nlu.training_data import load_training_data

    data = load_training_data(_data_dir(data_dir))
    table = Table(title=f"{folds}-fold cross-validation ({len(data.examples)} examples)")
    for column in ("fold", "intent acc.", "top-1 acc.", "service acc.", "train s"):
        table.add_column(column, justify="right")

    def on_fold(number: int, report: Any) -> None:
        err.print(
            f"fold {number}: intent {report.accuracy:.3f}, service {report.service_accuracy:.3f}"
        )

    result = run(data, folds, on_fold=on_fold, fallback_threshold=threshold)
    for number, (report, seconds) in enumerate(
        zip(result.folds, result.train_seconds, strict=True), 1
    ):
        table.add_row(
            str(number),
            f"{report.accuracy:.3f}",
            f"{report.top1_accuracy:.3f}",
            f"{report.service_accuracy:.3f}",
            f"{seconds:.1f}",
        )
    table.add_row(
        "mean",
        f"{result.accuracy:.3f}",
        f"{result.top1_accuracy:.3f}",
        f"{result.service_accuracy:.3f}",
        f"{sum(result.train_seconds) / len(result.train_seconds):.1f}",
        style="bold",
    )
    out.print(table)
    if out_dir:
        written = write_report(result.pooled(), out_dir)
        err.print("written: " + ", ".join(str(p) for p in written))


@nlu_app.command("export-rasa")
def export_rasa(
    directory: Annotated[Path, typer.Argument(help="Where to write the Rasa project.")],
    data_dir: DataDir = None,
    config: Annotated[
        Path | None, typer.Option(help="A Rasa config.yml to use instead of the default DIET one.")
    ] = None,
) -> None:
    """Write config.yml, data/nlu.yml and domain.yml that `rasa train nlu` accepts."""
    from nlu.rasa_export import export_rasa_project
    from nlu.training_data import load_training_data

    data = load_training_data(_data_dir(data_dir))
    config_text = config.read_text(encoding="utf-8") if config else None
    for path in export_rasa_project(data, directory, config_text=config_text):
        err.print(f"wrote {path}")


corrections_app = typer.Typer(no_args_is_help=True)
nlu_app.add_typer(
    corrections_app, name="corrections", help="The dispatchers' corrections, for review."
)


@corrections_app.command("export")
def export_corrections(
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write here instead of standard output.")
    ] = None,
    lang: Annotated[str | None, typer.Option(help="Only this language (fr or en).")] = None,
    data_dir: DataDir = None,
) -> None:
    """Write the corrections as a Rasa NLU YAML file, to review and commit into nlu/data."""
    from coupdemain.nlu_corrections import read_corrections
    from coupdemain.settings import Settings
    from nlu.corrections import corrections_yaml, with_corrections
    from nlu.training_data import load_training_data

    corrections, why = read_corrections(Settings().resolved_database_url)
    if why:
        err.print(f"[red]no corrections: {why}[/]")
        raise typer.Exit(1)
    if lang:
        corrections = [c for c in corrections if c.language == lang]
    # Against the data, so that the service words are annotated as the data annotates them.
    merged = with_corrections(load_training_data(_data_dir(data_dir)), corrections)
    header = (
        f"{len(merged.examples)} dispatcher corrections (coupdemain nlu corrections export)"
        + (f", language {lang}" if lang else ", every language: put each under nlu/data/<lang>/")
        + "\nReview before committing: numbers, addresses and codes are masked, names may remain."
    )
    text = corrections_yaml(merged.examples, header)
    if out_file is None:
        sys.stdout.write(text)
    else:
        out_file.write_text(text, encoding="utf-8")
        err.print(f"wrote {len(merged.examples)} corrections to {out_file}")
    for o in merged.overridden:
        err.print(f"[yellow]wins over {o.source}: {o.text!r} was {o.was}, now {o.now}[/]")
