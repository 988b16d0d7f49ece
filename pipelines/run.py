"""``curate run``: plan a run, execute it on a Beam runner, publish the outputs atomically.

The output layout is :mod:`pipelines.output`'s. The pipeline writes into
``OUT/_tmp-<invocation>/``; shards are moved into place only after the runner reports
success, and ``_SUCCESS`` is written last, so a killed run never leaves a corpus that looks
finished.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any

import apache_beam as beam
from apache_beam.io.filesystem import BeamIOError
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, StandardOptions
from apache_beam.runners.runner import create_runner

from curation.config import ConfigError, CurationConfig, did_you_mean
from curation.decontamination import EvaluationSetError
from curation.io.inputs import InputFile, SkippedFile, expand_source
from curation.plan import RunPlan, resolve_hasher, resolve_plan
from curation.synthetic.word_share import default_reference
from pipelines.curate_pipeline import RUN_RECORD, SHARD_STATS, build_pipeline
from pipelines.dataset_card import dataset_card
from pipelines.diagnose import misread_sources
from pipelines.manifest import build_manifest
from pipelines.output import (
    CORPUS_DIR,
    DATASET_CARD,
    KINDS,
    MANIFEST_FILE,
    REJECTS_DIR,
    SUCCESS_FILE,
    OutputCounts,
    count_shards,
    list_shards,
    read_json,
    write_json,
)
from pipelines.progress import PROGRESS_DIR, ProgressReporter, format_plan
from pipelines.publish import (
    TMP_PREFIX,
    OutputLock,
    check_output,
    clean_output,
    publish,
    refuse_output_inside_inputs,
)
from pipelines.references import resolve_references
from pipelines.report import write_report
from pipelines.resume import checkpointed, clear_stale, find_resumable, write_resume_record
from pipelines.word_sample import collect_word_sample
from transforms.diversity import DIVERSITY
from transforms.evaluation_sets import load_contamination_index
from transforms.object_stores import store_problems
from transforms.runner_workarounds import (
    LOCAL_RUNNER,
    RUNNER_ALIASES,
    ViewCachingOptions,
    quiet_workers,
)
from transforms.storage import delete_tree, list_path, open_raw, storage_problem


class RunFailed(RuntimeError):
    """The run finished but its outputs break the contract (e.g. records went missing)."""


def beam_options(beam_args: list[str], other_options: Sequence[str] = ()) -> PipelineOptions:
    """Pipeline options from the pass-through arguments, with a local default runner.

    Without ``--runner`` the run uses :class:`~transforms.runner_workarounds.LocalRunner` (the
    DirectRunner's FnApiRunner engine) in multi-processing mode on every core;
    ``--runner=DirectRunner`` means the same. This keeps Beam 2.77's DirectRunner from trying
    to download the Prism runner. ``--runner=DaskRunner`` is accepted as a short name.

    Worker logs default to WARNING (Beam's INFO lines would flood the terminal). Unknown
    options and bad option values raise :class:`ConfigError` (a typo must not be ignored
    silently), with the closest known option (of Beam's and ``other_options``, the
    caller's own flags) as a suggestion; the runner's module is imported first so its own
    options (e.g. ``--dask_client_address``) are known.
    """
    options = _parse_options(beam_args)
    runner = options.view_as(StandardOptions).runner
    if runner in RUNNER_ALIASES:
        beam_args = [*beam_args, f"--runner={RUNNER_ALIASES[runner]}"]
        options = _parse_options(beam_args)
        runner = RUNNER_ALIASES[runner]
    if runner:
        try:
            create_runner(runner)  # imports the runner's module, which registers its options
        except (ImportError, ValueError) as error:
            raise ConfigError(f"--runner {runner}: {error}".splitlines()[0]) from None
    known = options.get_all_options(drop_default=False)
    everything = options.get_all_options(drop_default=False, retain_unknown_options=True)
    unknown = sorted(set(everything) - set(known))
    if unknown:
        given = next(
            (arg.split("=")[0] for arg in beam_args if _option_key(arg) == unknown[0]),
            f"--{unknown[0]}",
        )
        flags = [f"--{name}" for name in known] + list(other_options)
        hint = did_you_mean(given, flags)
        raise ConfigError(f"unknown option {given} (not a curate or Beam option){hint}")
    defaults = ["--default_sdk_harness_log_level=WARNING"]
    if runner in (None, LOCAL_RUNNER):
        defaults += [
            f"--runner={LOCAL_RUNNER}",
            "--direct_running_mode=multi_processing",
            f"--direct_num_workers={os.cpu_count() or 1}",
        ]
    explicit = {arg.split("=")[0] for arg in beam_args}
    defaults = [d for d in defaults if d.split("=")[0] not in explicit]
    return _parse_options(defaults + beam_args)


def describe_runner(options: PipelineOptions) -> dict[str, Any]:
    """What will run: the runner's class name and, for the local runner, its running mode and
    parallel workers (``in_memory`` runs in this process: one; ``None`` where the runner has no
    such setting)."""
    runner = str(options.view_as(StandardOptions).runner or LOCAL_RUNNER)
    if runner != LOCAL_RUNNER:
        return {"runner": runner.rsplit(".", 1)[-1], "mode": None, "workers": None}
    direct = options.view_as(DirectOptions)
    mode = direct.direct_running_mode
    return {
        "runner": runner.rsplit(".", 1)[-1],
        "mode": mode,
        "workers": 1 if mode == "in_memory" else direct.direct_num_workers,
    }


def _option_key(arg: str) -> str:
    """The options key argparse makes of ``--some-flag=value``: ``some_flag``."""
    return arg.split("=")[0].lstrip("-").replace("-", "_")


def _checked(parse: Any) -> Any:
    """Run a Beam option parse; its argparse exits on a bad value: make that a ConfigError."""
    stderr = sys.stderr
    sys.stderr = io.StringIO()
    try:
        return parse()
    except SystemExit:
        message = sys.stderr.getvalue().strip().splitlines()
        last = re.sub(r"^\S+: error: ", "", message[-1]) if message else "invalid pipeline option"
        raise ConfigError(last) from None
    finally:
        sys.stderr = stderr


def _parse_options(beam_args: list[str]) -> PipelineOptions:
    options = ViewCachingOptions(beam_args)
    _checked(lambda: options.get_all_options(drop_default=False))
    return options


def list_inputs(config: CurationConfig) -> tuple[tuple[InputFile, ...], tuple[SkippedFile, ...]]:
    """Every data file of every source, and the files skipped as not data (raises
    :class:`ConfigError` for a path that matches nothing or holds no data file)."""
    files: list[InputFile] = []
    skipped: list[SkippedFile] = []
    for source in config.sources:
        try:
            lister = partial(list_path, follow_symlinks=config.read.follow_symlinks)
            found, passed_over = expand_source(source, lister, open_raw)
        except (ValueError, OSError, BeamIOError) as error:
            if isinstance(error, ConfigError):
                raise
            raise ConfigError(f"source {source.name!r}: {storage_problem(error)}") from None
        files += found
        skipped += passed_over
    return tuple(files), tuple(skipped)


def check_stores(config: CurationConfig, output: str, options: PipelineOptions) -> None:
    """Raise :class:`ConfigError` (what to install or configure) for an input or output whose
    object store cannot be used; asked before anything is read or written."""
    named = [(f"source {s.name!r} path", path) for s in config.sources for path in s.paths]
    named.append(("--output", output))
    problems = store_problems([path for _, path in named], options)
    for role, path in named:
        if path in problems:
            raise ConfigError(f"{role} {path!r}: {problems[path]}")


def check_evaluation_sets(config: CurationConfig) -> None:
    """Read the evaluation sets once, so a bad one is a :class:`ConfigError` before anything
    is written (the workers read them again)."""
    try:
        load_contamination_index(config.decontamination)
    except EvaluationSetError as error:
        raise ConfigError(f"decontamination.paths: {error}") from None


@dataclass(frozen=True)
class RunResult:
    manifest: dict[str, Any]
    counts: OutputCounts


def execute(
    config: CurationConfig,
    output: str,
    beam_args: list[str],
    overwrite: bool = False,
    show_progress: bool = False,
    other_options: Sequence[str] = (),
    resume: bool = False,
    verbose: bool = False,
) -> RunResult:
    """Plan, run and publish one curation run. Raises ConfigError for bad input/config.

    ``show_progress`` prints the plan and (local runs) a progress line on stderr;
    ``other_options`` are the caller's own flags, suggested for a mistyped option.
    ``resume`` continues the run a kill or crash left in ``output`` (:mod:`pipelines.resume`),
    reusing its finished pieces; it replaces curate's own output as ``overwrite`` does.
    The worker processes' log lines are hidden unless ``verbose``.
    """
    started = datetime.now(UTC)
    clock = time.monotonic()
    options = beam_options(beam_args, other_options)
    FileSystems.set_options(options)  # e.g. --s3_endpoint_url for the launcher's own file access
    check_stores(config, output, options)
    invocation = uuid.uuid4().hex[:12]
    try:
        work_dir = FileSystems.join(output, TMP_PREFIX + invocation)
    except ValueError as error:
        raise ConfigError(f"--output {output!r}: {storage_problem(error)}") from None
    runner = describe_runner(options)
    local = "://" not in work_dir and runner["runner"] == LOCAL_RUNNER.rsplit(".", 1)[-1]
    plan = resolve_plan(
        config,
        *list_inputs(config),
        work_dir=work_dir,
        references=resolve_references(config.dedup.reference, resolve_hasher(config)),
    )
    refuse_output_inside_inputs(output, config)
    check_evaluation_sets(config)
    lock = OutputLock(output, overwrite or resume)
    with _output_errors(output):
        lock.refuse_if_held()
        check_output(output, overwrite or resume)
        lock.acquire()
    try:
        with _output_errors(output):
            resumable = find_resumable(output, plan) if resume else None
        if resumable is not None:
            plan = replace(plan, work_dir=resumable.work_dir, reused=resumable.reused)
        if local:
            progress_dir = os.path.abspath(os.path.join(plan.work_dir, PROGRESS_DIR))
            plan = replace(plan, progress_dir=progress_dir)
        with _output_errors(output):
            clean_output(output, keep=plan.work_dir)
        if lock.taken_over is not None:
            print(
                f"curate: took over the lock of a run that died: {lock.taken_over}", file=sys.stderr
            )
        _prepare_work_dir(plan, resumable is not None, resume)
        if show_progress:
            print(format_plan(plan, runner), file=sys.stderr)
        return _run_and_publish(
            plan, options, runner, output, started, clock, show_progress, verbose
        )
    finally:
        lock.release()


def _prepare_work_dir(plan: RunPlan, adopted: bool, resume: bool) -> None:
    """Create the work directory, or clear the one adopted from an interrupted run of what
    its pipeline left besides the checkpointed pieces; then record what it is planned for."""
    if adopted:
        clear_stale(plan.work_dir)
        print(
            f"curate: resuming {FileSystems.split(plan.work_dir)[1]}: reusing "
            f"{len(plan.reused)} of {len(plan.pieces)} pieces",
            file=sys.stderr,
        )
    else:
        if resume:
            print(
                "curate: --resume: no interrupted run in the output: starting afresh",
                file=sys.stderr,
            )
        FileSystems.mkdirs(plan.work_dir)
    write_resume_record(plan)


@contextmanager
def _output_errors(output: str) -> Iterator[None]:
    """Storage errors about the output directory as one-line :class:`ConfigError` s."""
    try:
        yield
    except ConfigError:
        raise
    except (ValueError, OSError, BeamIOError) as error:
        raise ConfigError(f"--output {output!r}: {storage_problem(error)}") from None


def _run_and_publish(
    plan: RunPlan,
    options: PipelineOptions,
    runner: dict[str, Any],
    output: str,
    started: datetime,
    clock: float,
    show_progress: bool,
    verbose: bool,
) -> RunResult:
    """Run the pipeline into the plan's work directory, publish, and write the run's files;
    ``_SUCCESS`` last, and only when every check passed (else :class:`RunFailed`)."""
    work_dir, config = plan.work_dir, plan.config
    try:
        pipeline = beam.Pipeline(options=options)
        build_pipeline(pipeline, plan)
        if show_progress and plan.progress_dir is not None:
            with (
                contextlib.nullcontext(sys.stderr) if verbose else quiet_workers() as stderr,
                ProgressReporter(plan.progress_dir, len(plan.pieces), plan.input_bytes, stderr),
            ):
                pipeline.run().wait_until_finish()
        else:
            pipeline.run().wait_until_finish()
    except BaseException:
        kept = checkpointed(work_dir)
        if kept:
            print(
                f"curate: {kept} of {len(plan.pieces)} pieces are scored and kept in {work_dir}: "
                "run again with --resume to reuse them",
                file=sys.stderr,
            )
        else:
            delete_tree(work_dir)
        raise

    if show_progress:
        print(
            "curate: publish: moving shards into place, writing manifest and report",
            file=sys.stderr,
        )
    run_record = read_json(FileSystems.join(work_dir, RUN_RECORD))
    inputs = sorted(run_record["inputs"], key=lambda item: item["uri"])
    shards = {
        kind: [
            dict(stats, path=_relative(stats["path"], work_dir))
            for stats in run_record.get(key, [])
        ]
        for kind, key in SHARD_STATS.items()
    }
    publish(work_dir, output)
    delete_tree(work_dir)
    published = {kind: list_shards(FileSystems.join(output, kind)) for kind in KINDS}
    counts = count_shards(published, synthetic_scores=True)
    words = collect_word_sample(published[CORPUS_DIR], counts, default_reference())
    figures = run_record.get(DIVERSITY, [None])[0]
    manifest = build_manifest(plan, options, runner, inputs, shards, counts, words, figures)
    manifest["misread_sources"] = misread_sources(counts, config.sources, published[REJECTS_DIR])
    manifest["timing"] = {
        "started": started.isoformat(),
        "finished": datetime.now(UTC).isoformat(),
        "seconds": round(time.monotonic() - clock, 3),
        "invocation_id": FileSystems.split(work_dir)[1][len(TMP_PREFIX) :],
    }
    write_json(FileSystems.join(output, MANIFEST_FILE), manifest)
    with FileSystems.create(FileSystems.join(output, DATASET_CARD)) as handle:
        handle.write(dataset_card(manifest, plan.schemas).encode("utf-8"))
    write_report(output)
    errors = counts.conservation_errors(
        {
            source: entry["input_records"]
            for source, entry in manifest["counts"]["by_source"].items()
        }
    )
    if errors:
        raise RunFailed("records lost: " + "; ".join(errors))
    unreadable = [item["uri"] for item in inputs if item.get("error")]
    if unreadable and config.limits.on_unreadable == "fail":
        raise RunFailed(f"unreadable input files (limits.on_unreadable: fail): {unreadable}")
    if manifest["misread_sources"]:
        raise RunFailed("; ".join(manifest["misread_sources"]))
    # Not empty: Beam 2.77's S3 filesystem cannot write an empty object (a multipart upload
    # of no part, which S3 refuses).
    with FileSystems.create(FileSystems.join(output, SUCCESS_FILE)) as handle:
        handle.write(plan.run_id.encode("ascii") + b"\n")
    return RunResult(manifest, counts)


def _relative(path: str, output: str) -> str:
    prefix = output.rstrip("/") + "/"
    return path[len(prefix) :] if path.startswith(prefix) else path
