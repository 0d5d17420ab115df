"""The model loop: ``train``, ``evaluate``, ``models``, ``use-model``."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from annotator.cli.columns import left, width
from annotator.cli.command import Command
from annotator.cli.progress import TerminalProgress
from annotator.core.compare import Scores
from annotator.core.errors import AnnotatorError
from annotator.core.plural import plural
from annotator.core.progress import CancelToken
from annotator.nlp.background import model_history
from annotator.nlp.evaluate import before_after, describe
from annotator.nlp.pipelines import (
    PipelineConfig,
    Pipelines,
    declared_language,
    model_choices,
    project_pipelines,
    untrusted_reason,
)
from annotator.nlp.preannotate import preannotate
from annotator.nlp.train import TrainSettings, train
from annotator.store import Store


def _split_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dev-ratio", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=0)


def _train_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = TrainSettings()
    parser.add_argument("--language", default="en")
    parser.add_argument("--base", help="package or model folder to fine-tune (default: the language's configured "
                                       "pipeline), e.g. fr_core_news_md")
    parser.add_argument("--epochs", type=int, default=defaults.max_epochs,
                        help="at most this many epochs (chosen by cross-validation, or early stopping on dev F)")
    parser.add_argument("--fixed-epochs", type=int, help="exactly this many epochs (no choice)")
    parser.add_argument("--patience", type=int, default=defaults.patience)
    _split_arguments(parser)
    parser.add_argument("--folds", type=int, default=defaults.folds,
                        help="cross-validation folds while documents are few")
    parser.add_argument("--learn-rate", type=float, default=defaults.learn_rate)
    parser.add_argument("--dropout", type=float, default=defaults.dropout)
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size, help="sentences per update")
    parser.add_argument("--rehearsal", type=float, default=defaults.rehearsal,
                        help="base-model examples mixed in per corrected example, against forgetting (0: off)")
    parser.add_argument("--output", help="folder for trained models (default: the user data folder)")
    parser.add_argument("--use", action="store_true", help="make the new model the suggestion model and re-run it "
                                                            "on unfinished documents")


def _train(store: Store, args: argparse.Namespace, user: str) -> int:
    settings = TrainSettings(max_epochs=args.epochs, patience=args.patience, dev_ratio=args.dev_ratio, seed=args.seed,
                             rehearsal=args.rehearsal, folds=args.folds, learn_rate=args.learn_rate,
                             dropout=args.dropout, batch_size=args.batch_size, epochs=args.fixed_epochs,
                             base=args.base)
    report = train(store, Pipelines(PipelineConfig.from_env()), args.language, settings=settings,
                   output=Path(args.output) if args.output else None, progress=TerminalProgress(every=0),
                   cancel=CancelToken())
    m = report.model
    what = "cross-validated F" if report.mode == "cv" else "dev F"
    print(f"trained {m.name} {m.version} from {m.base or 'blank'} on {plural(report.train_docs, 'document')}, "
          f"{plural(report.chosen_epochs, 'epoch')}: {what} {report.before.overall.f:.3f} -> "
          f"{report.after.overall.f:.3f}")
    print(f"  {report.plan}")
    if report.before_evaluation is not None and report.after_evaluation is not None:
        print(f"  scored on: {report.after_evaluation.how}")
        print(f"  before {describe(report.before_evaluation)}")
        print(f"  after  {describe(report.after_evaluation)}")
        if report.gain_ci95:
            print(f"  gain {report.after.overall.f - report.before.overall.f:+.3f} "
                  f"(paired 95% CI {report.gain_ci95[0]:+.3f} to {report.gain_ci95[1]:+.3f})")
    print(f"  saved to {m.path}")
    if args.use:
        store.set_suggestion_model(args.language, m.path)
        rerun = preannotate(store, project_pipelines(store), language=args.language, rerun=True,
                            progress=TerminalProgress())
        print(f"  now suggesting with it: re-ran {plural(rerun.documents, 'unfinished document')}")
    return 0


def _evaluate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--language", default="en")
    parser.add_argument("--model", help="model to score as 'after' (default: the latest trained for the language)")
    parser.add_argument("--split", choices=["dev", "train", "all"], default="dev")
    _split_arguments(parser)
    parser.add_argument("--json", action="store_true")


def _evaluate(store: Store, args: argparse.Namespace, user: str) -> int:
    result = before_after(store, args.language, args.model, args.split, args.dev_ratio, args.seed)
    columns = [(result.before_name, result.before)]
    evaluations = [(result.before_name, result.before_evaluation)]
    if result.after is not None and result.after_name is not None:
        columns.append((result.after_name, result.after))
        evaluations.append((result.after_name, result.after_evaluation))
    if args.json:
        data = result.as_dict()
        data["models"] = {name: ev.as_dict() if ev is not None else {} for name, ev in evaluations}
        print(json.dumps(data, indent=2))
        return 0
    what = plural(result.documents, f"accepted '{args.language}' document")
    print(f"{what}, {args.split} split; exact span + label")
    for i, (name, ev) in enumerate(evaluations):
        print(f"  [{'before' if i == 0 else 'after'}] {name}: {describe(ev) if ev is not None else ''}")
    if result.gain_ci95 is not None and result.after is not None:
        print(f"  gain {result.after.overall.f - result.before.overall.f:+.3f} "
              f"(paired 95% CI {result.gain_ci95[0]:+.3f} to {result.gain_ci95[1]:+.3f})")
    if result.seen:
        print(f"  note: the trained model learnt from {result.seen} of these {plural(result.documents, 'document')} "
              f"(it was cross-validated); its held-out estimate is in 'annotator models'")
    _print_table(columns)
    for name, sc in columns:
        errors = ", ".join(f"{k} {v}" for k, v in sorted(sc.outcomes.items()))
        print(f"\n{name}: {errors}")
    return 0


def _print_table(columns: list[tuple[str, Scores]]) -> None:
    """Precision, recall and F per label (and ALL), one before/after column group per model."""
    head = "".join(f"  {'before' if i == 0 else 'after':>6}  P     R     F  " for i in range(len(columns)))
    labels = sorted({lb for _, sc in columns for lb in sc.per_label})
    first = width(labels, at_least=14)
    print(f"\n{left('label', first)}{head}")
    for label in labels + ["ALL"]:
        cells = ""
        for _, sc in columns:
            prf = sc.overall if label == "ALL" else sc.per_label.get(label)
            cells += "        -     -     -  " if prf is None else \
                f"       {prf.precision:.2f}  {prf.recall:.2f}  {prf.f:.2f}  "
        print(f"{left(label, first)}{cells}")


def _models_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="every model with its scores, per language")


def _models(store: Store, args: argparse.Namespace, user: str) -> int:
    chosen = store.suggestion_models()
    if args.json:
        languages = sorted({m.language for m in store.trained_models()} | set(chosen))
        print(json.dumps({lang: {"current": chosen.get(lang), "models": [
            {**asdict(p), "created_at": p.created_at.isoformat()} for p in model_history(store, lang)]}
            for lang in languages}, indent=2))
        return 0
    for choice in model_choices(store):
        if choice.refused is None:
            print(f"suggestions for '{choice.language}': {choice.model}")
        else:
            print(f"suggestions for '{choice.language}': IGNORED {choice.model} ({choice.refused}); "
                  "the default pipelines suggest instead")
    for lang in sorted({m.language for m in store.trained_models()}):
        for point in model_history(store, lang):
            before = "-" if point.base_f is None else f"{point.base_f:.3f}"
            mark = "*" if point.current else " "
            print(f"{mark} {point.created_at:%Y-%m-%d %H:%M}  {lang}  {point.name}  base F {before} -> {point.label}"
                  f"  {point.path}")
    if not chosen and not store.trained_models():
        print("no trained models yet; the default pipelines suggest entities (see README, Models)")
    return 0


def _use_model_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", help="package name, model folder, or 'default'")
    parser.add_argument("--language", help="(default: the language the model declares)")


def _use_model(store: Store, args: argparse.Namespace, user: str) -> int:
    if args.model == "default":
        if not args.language:
            raise AnnotatorError("say which language goes back to the default: use-model default --language en")
        store.set_suggestion_model(args.language, None)
        print(f"'{args.language}' suggestions come from the default pipelines again")
        return 0
    model = str(Path(args.model).resolve()) if Path(args.model).exists() else args.model
    refused = untrusted_reason(model, [m.path for m in store.trained_models()])
    if refused is not None:
        raise AnnotatorError(f"cannot make {model} the suggestion model: {refused}. To suggest with it on this "
                             f"computer only, run: annotator preannotate --rerun --model {model}")
    language = args.language or declared_language(model)
    store.set_suggestion_model(language, model)
    print(f"'{language}' suggestions now come from {model}; run 'annotator preannotate --rerun' to refresh them")
    return 0


COMMANDS = (
    Command("train", _train, _train_arguments),
    Command("evaluate", _evaluate, _evaluate_arguments),
    Command("models", _models, _models_arguments),
    Command("use-model", _use_model, _use_model_arguments),
)
