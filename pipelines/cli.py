"""The ``curate`` command line.

Exit codes: 0 success; 1 runtime failure; 2 bad arguments or config (one line on stderr, no
traceback). Arguments ``curate run`` does not know are passed to Beam as pipeline options.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import warnings
from pathlib import Path
from typing import Any

from curation.config import (
    ConfigError,
    CurationConfig,
    RepeatedConfig,
    adhoc_sources,
    config_from_mapping,
    load_config,
)
from curation.plan import package_version
from pipelines.terminal import printable
from transforms import garbage_collector

#: Config used when neither --config nor --input is given: the sample corpus in the repo.
SAMPLE_CONFIG = Path(__file__).with_name("configs") / "sample.yaml"
EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
#: ``curate run`` options that describe the sources made from ``--input``: (flag, source key,
#: help).
INPUT_FLAGS = (
    ("--source-name", "name", "one source of that name for all --input paths"),
    ("--format", "format", "auto (default: per file, by name and content), jsonl or parquet"),
    ("--text-field", "text_field", "field holding the text (default: text)"),
    ("--id-field", "id_field", "field holding the record id (default: id)"),
    ("--url-field", "url_field", "field holding the URL"),
    ("--created-field", "created_field", "field holding the creation time"),
    ("--license", "license", "licence of the input (default: unknown)"),
    ("--license-field", "license_field", "field holding a per-record licence"),
)


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with a one-line message (its default prints usage too)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise ConfigError(f"{self.prog}: {message}")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="curate", description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("-v", "--verbose", action="store_true", help="show Beam's log messages")
    parser.add_argument("--version", action="version", version=f"curate {package_version()}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser(
        "run",
        help="run the curation pipeline",
        allow_abbrev=False,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=RUN_EPILOG,
    )
    run.add_argument(  # SUPPRESS: not given here, it must not reset `curate -v run`
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="as curate -v"
    )
    run.add_argument("--config", help="YAML config (sources and policy)")
    run.add_argument(
        "--input", action="append", default=[], help="input file, directory or glob (repeatable)"
    )
    fields = run.add_argument_group(
        "input sources", "how --input paths are read (as the same keys of a YAML source)"
    )
    for flag, key, text in INPUT_FLAGS:
        fields.add_argument(flag, dest=key, help=text)
    rights = run.add_argument_group(
        "rights", "licence policy and opt-out (as licenses.* and optout.* in the YAML)"
    )
    rights.add_argument(
        "--allow-license",
        action="append",
        metavar="SPDX",
        help="keep only documents under these licences (repeatable; 'unknown' allowed)",
    )
    rights.add_argument(
        "--deny-license", action="append", metavar="SPDX", help="reject these licences"
    )
    rights.add_argument("--optout-domains", metavar="FILE", help="file of opted-out domains")
    rights.add_argument(
        "--no-optout-markers",
        action="store_true",
        help="ignore opt-out markers in record metadata (tdm-reservation, noai)",
    )
    run.add_argument(
        "--dedup-against",
        action="append",
        default=[],
        metavar="PATH",
        help="earlier curate output or Parquet corpus to deduplicate against (repeatable; "
        "added to dedup.reference)",
    )
    run.add_argument(
        "--remove-repeated",
        choices=("paragraph", "line"),
        help="remove paragraphs or lines found in many documents (sets dedup.repeated.unit; "
        "docs/dedup.md)",
    )
    run.add_argument(
        "--write-index",
        action="store_true",
        help="write OUT/index/ so later runs can --dedup-against OUT without re-indexing its "
        "text (as output.index: true)",
    )
    run.add_argument("--output", default="out", help="output directory (default: ./out)")
    run.add_argument("--overwrite", action="store_true", help="replace a non-empty output")
    run.add_argument(
        "--resume",
        action="store_true",
        help="continue a killed or crashed run into the same output, reusing its scored pieces",
    )
    run.add_argument("--json", action="store_true", help="print the summary as JSON")

    inspect = commands.add_parser(
        "inspect",
        help="summarise a curated output directory, or answer one query about it",
        description="Without a query: the summary, checked against the manifest. With one "
        "(--where, --columns, --rejects, --sample, --id): only its answer.",
    )
    inspect.add_argument("path", help="run directory, shard directory or one shard")
    inspect.add_argument("--sample", type=int, help="matching rows to show (default: 3)")
    inspect.add_argument("--seed", type=int, default=0, help="seed of the sample")
    inspect.add_argument("--where", help="SQL (DuckDB) condition on the rows, e.g. \"lang = 'de'\"")
    inspect.add_argument("--columns", help="comma-separated columns to show for sample rows")
    inspect.add_argument("--rejects", action="store_true", help="sample/filter the rejects")
    inspect.add_argument("--id", dest="record_id", help="show one record in full")
    inspect.add_argument("--json", action="store_true", help="machine-readable output")

    report = commands.add_parser("report", help="write the HTML report of a run")
    report.add_argument("path", help="run directory")
    report.add_argument("--html", help="output file (default: PATH/report.html)")
    report.add_argument(
        "--compare",
        action="append",
        default=[],
        metavar="EARLIER_OUT",
        help="an earlier run to compare the diversity figures with (repeatable, oldest first)",
    )
    return parser


RUN_EPILOG = """\
Any other --option is passed to Apache Beam as a pipeline option, for example:
  --runner=DaskRunner --dask_client_address=HOST:8786 --dask_npartitions=8
  --direct_num_workers=8 --direct_running_mode=multi_processing   (the default runner)
  --s3_endpoint_url=https://minio.example.org
A mistyped option is an error (exit 2) with the closest known option; see docs/cluster.md.
"""


def resolve_config(
    config_path: str | None, inputs: list[str], source_keys: dict[str, str] | None = None
) -> CurationConfig:
    """--config, or --input sources with default policy, or the sample corpus.

    ``source_keys`` (from :data:`INPUT_FLAGS`) describe the ``--input`` sources; they are an
    error without ``--input`` (a YAML source sets them itself)."""
    source_keys = source_keys or {}
    flags = {key: flag for flag, key, _ in INPUT_FLAGS}
    if source_keys and not inputs:
        flag = flags[next(iter(source_keys))]
        raise ConfigError(f"{flag} describes --input paths; with --config set it in the YAML")
    if config_path:
        config = load_config(config_path)
        if inputs:
            sources = adhoc_sources(inputs, source_keys, flags)
            config = config.model_copy(update={"sources": sources})
        return config
    if inputs:
        return CurationConfig(sources=adhoc_sources(inputs, source_keys, flags))
    return load_config(SAMPLE_CONFIG)


def with_rights_flags(config: CurationConfig, args: argparse.Namespace) -> CurationConfig:
    """``config`` with the licence and opt-out flags of ``curate run`` applied (a flag
    replaces the YAML's value); :class:`ConfigError` names a bad flag value."""
    licenses: dict[str, Any] = {}
    if args.allow_license:
        licenses["allow"] = tuple(args.allow_license)
    if args.deny_license:
        licenses["deny"] = tuple(args.deny_license)
    optout: dict[str, Any] = {}
    if args.optout_domains:
        optout["domains"] = args.optout_domains
    if args.no_optout_markers:
        optout["markers"] = False
    if not licenses and not optout:
        return config
    data = config.model_dump(mode="json")
    data["licenses"] = {**data.get("licenses", {}), **licenses}
    data["optout"] = {**data.get("optout", {}), **optout}
    try:
        return config_from_mapping(data, origin="curate run")
    except ConfigError as error:
        flags = {"licenses.allow": "--allow-license", "licenses.deny": "--deny-license"}
        message = str(error)
        for key, flag in flags.items():
            message = message.replace(f"curate run: {key}", flag)
        raise ConfigError(message) from None


def with_dedup_flags(config: CurationConfig, args: argparse.Namespace) -> CurationConfig:
    """``config`` with ``--dedup-against`` (added to ``dedup.reference``) and
    ``--remove-repeated`` (``dedup.repeated.unit``, the section's other keys from the YAML or
    their defaults) and ``--write-index`` (``output.index``) applied."""
    if args.write_index:
        config = config.model_copy(
            update={"output": config.output.model_copy(update={"index": True})}
        )
    update: dict[str, Any] = {}
    if args.dedup_against:
        update["reference"] = (*config.dedup.reference, *args.dedup_against)
    if args.remove_repeated:
        repeated = config.dedup.repeated or RepeatedConfig()
        update["repeated"] = repeated.model_copy(update={"unit": args.remove_repeated})
    if not update:
        return config
    return config.model_copy(update={"dedup": config.dedup.model_copy(update=update)})


def _run(args: argparse.Namespace, beam_args: list[str]) -> int:
    source_keys = {key: value for _, key, _ in INPUT_FLAGS if (value := getattr(args, key))}
    config = with_rights_flags(resolve_config(args.config, args.input, source_keys), args)
    config = with_dedup_flags(config, args)
    with garbage_collector.importing():  # after the config: a bad one fails before Beam loads
        from pipelines.failures import cause_of
        from pipelines.run import RunFailed, execute
        from pipelines.summary import format_summary
    try:
        with garbage_collector.frozen():
            result = execute(
                config,
                args.output,
                beam_args,
                overwrite=args.overwrite,
                show_progress=True,
                other_options=_run_flags(),
                resume=args.resume,
                verbose=args.verbose,
            )
    except RunFailed as error:
        print(f"curate: run failed: {printable(str(error))}", file=sys.stderr)
        return EXIT_FAILURE
    except ConfigError:
        raise
    except Exception as error:  # the environment failed the run: one line, unless --verbose
        if args.verbose:
            raise
        print(f"curate: run failed: {printable(cause_of(error))}", file=sys.stderr)
        return EXIT_FAILURE
    if args.json:
        print(json.dumps(result.manifest["counts"], indent=2, sort_keys=True))
    else:
        print(format_summary(result.manifest, args.output))
    return EXIT_OK


def _run_flags() -> list[str]:
    """The options ``curate run`` itself takes (suggested for a mistyped option)."""
    commands = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    return [
        flag for flag in commands.choices["run"]._option_string_actions if flag.startswith("--")
    ]


def _storage_from_environment(*paths: str | None) -> None:
    """Object-store access for inspect and report, configured by the environment (e.g.
    ``AWS_ENDPOINT_URL_S3``, ``AWS_ACCESS_KEY_ID``): they take no Beam options. Raises
    :class:`ConfigError` for a path whose store cannot be used."""
    from apache_beam.io.filesystems import FileSystems
    from apache_beam.options.pipeline_options import PipelineOptions

    from transforms.object_stores import store_problems

    options = PipelineOptions([])
    FileSystems.set_options(options)
    for path, problem in store_problems([p for p in paths if p], options).items():
        raise ConfigError(f"{path!r}: {problem}")


def _inspect(args: argparse.Namespace) -> int:
    from pipelines.inspect import InspectFailed, inspect_output

    _storage_from_environment(args.path)
    columns = [c.strip() for c in args.columns.split(",") if c.strip()] if args.columns else None
    try:
        result = inspect_output(
            args.path,
            sample=args.sample,
            seed=args.seed,
            where=args.where,
            columns=columns,
            rejects=args.rejects,
            record_id=args.record_id,
            as_json=args.json,
        )
    except InspectFailed as error:
        print(f"curate: {printable(str(error))}", file=sys.stderr)
        return EXIT_FAILURE
    print(result.stdout)
    for line in result.problems:
        print(line, file=sys.stderr)
    return EXIT_FAILURE if result.problems else EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from pipelines.report import compare_with, write_report

    _storage_from_environment(args.path, args.html, *args.compare)
    comparison = compare_with(args.path, args.compare) if args.compare else None
    print(write_report(args.path, args.html, comparison))
    for flag in comparison.flags if comparison else ():
        print(f"curate: warning: {printable(flag)}", file=sys.stderr)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # A literal '[' in a path is escaped as '[[]' for Beam's matching, whose regex translation
    # then warns about a "nested set": the pattern is right, the warning is noise.
    warnings.filterwarnings("ignore", "Possible nested set", FutureWarning)
    try:
        args, extra = _parser().parse_known_args(argv)
        level = logging.INFO if args.verbose else logging.ERROR
        logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", force=True)
        if args.command != "run" and extra:
            raise ConfigError(f"curate {args.command}: unrecognized arguments: {' '.join(extra)}")
        if args.command == "run":
            return _run(args, extra)
        if args.command == "report":
            return _report(args)
        return _inspect(args)
    except ConfigError as error:
        print(f"curate: error: {printable(str(error))}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
