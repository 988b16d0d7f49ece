"""The ``curate`` command line.

Exit codes: 0 success; 1 runtime failure; 2 bad arguments or config (one line on stderr, no
traceback). Arguments ``curate run`` does not know are passed to Beam as pipeline options.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from curation.config import ConfigError, CurationConfig, adhoc_sources, load_config

#: Config used when neither --config nor --input is given: the sample corpus in the repo.
SAMPLE_CONFIG = Path(__file__).with_name("configs") / "sample.yaml"
EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with a one-line message (its default prints usage too)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise ConfigError(f"{self.prog}: {message}")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="curate", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser("run", help="run the curation pipeline")
    run.add_argument("--config", help="YAML config (sources and policy)")
    run.add_argument(
        "--input", action="append", default=[], help="input file, directory or glob (repeatable)"
    )
    run.add_argument("--output", default="out", help="output directory (default: ./out)")
    run.add_argument("--overwrite", action="store_true", help="replace a non-empty output")
    run.add_argument("--json", action="store_true", help="print the summary as JSON")

    inspect = commands.add_parser("inspect", help="summarise a curated output directory")
    inspect.add_argument("path", help="run directory")
    inspect.add_argument("--sample", type=int, default=3, help="sample documents to show")
    inspect.add_argument("--seed", type=int, default=0)
    inspect.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def resolve_config(config_path: str | None, inputs: list[str]) -> CurationConfig:
    """--config, or --input sources with default policy, or the sample corpus."""
    if config_path:
        config = load_config(config_path)
        if inputs:
            config = config.model_copy(update={"sources": adhoc_sources(inputs)})
        return config
    if inputs:
        return CurationConfig(sources=adhoc_sources(inputs))
    return load_config(SAMPLE_CONFIG)


def _run(args: argparse.Namespace, beam_args: list[str]) -> int:
    from pipelines.run import RunFailed, execute
    from pipelines.summary import format_summary

    config = resolve_config(args.config, args.input)
    try:
        result = execute(config, args.output, beam_args, overwrite=args.overwrite)
    except RunFailed as error:
        print(f"curate: run failed: {error}", file=sys.stderr)
        return EXIT_FAILURE
    if args.json:
        print(json.dumps(result.manifest["counts"], indent=2, sort_keys=True))
    else:
        print(format_summary(result.manifest, args.output))
    return EXIT_OK


def _inspect(args: argparse.Namespace) -> int:
    from pipelines.inspect import inspect_output

    print(inspect_output(args.path, sample=args.sample, seed=args.seed, as_json=args.json))
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        args, extra = _parser().parse_known_args(argv)
        if args.command != "run" and extra:
            raise ConfigError(f"curate {args.command}: unrecognized arguments: {' '.join(extra)}")
        if args.command == "run":
            return _run(args, extra)
        return _inspect(args)
    except ConfigError as error:
        print(f"curate: error: {error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
