"""The local runner ``curate`` uses by default: Beam's DirectRunner without its Prism attempt.

Beam 2.77's ``DirectRunner`` first tries to download and start the Prism runner (a Go binary)
and only then falls back to its ``FnApiRunner`` engine. :class:`LocalRunner` is that fallback
taken directly, set up the way ``DirectRunner`` sets it up: the pipeline options are handed to
the worker processes (so ``--default_sdk_harness_log_level`` and friends apply to them). It
honours ``--direct_running_mode`` and ``--direct_num_workers``.
"""

from __future__ import annotations

from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.portability.api import beam_provision_api_pb2
from apache_beam.runners.portability.fn_api_runner.fn_runner import (
    ExtendedProvisionInfo,
    FnApiRunner,
)
from apache_beam.runners.portability.portable_runner import JobServiceHandle

#: Fully qualified name to pass as ``--runner``.
LOCAL_RUNNER = "pipelines.local_runner.LocalRunner"


class LocalRunner(FnApiRunner):
    """FnApiRunner whose workers receive the pipeline options, as under DirectRunner."""

    def run_pipeline(self, pipeline, options: PipelineOptions):  # noqa: ANN201 - Beam's API
        encoded = JobServiceHandle.encode_pipeline_options(options.get_all_options())
        self._provision_info = ExtendedProvisionInfo(
            beam_provision_api_pb2.ProvisionInfo(pipeline_options=encoded)
        )
        return super().run_pipeline(pipeline, options)
