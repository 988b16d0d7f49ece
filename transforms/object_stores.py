"""Whether the object store a path names can be used, asked before a command reads or writes
anything.

Beam's S3 filesystem finds a missing boto3, missing credentials or a missing bucket only when
a file is first touched (a traceback, or a file "matching nothing"), and retries an
unreachable endpoint with backoff for about ten minutes (``apache_beam.utils.retry``: 7
retries from 5 s). One ``ListObjectsV2`` call per bucket, with the settings Beam's S3 client
uses (the ``--s3_*`` pipeline options, else boto3's environment variables and config files)
and short timeouts, answers all of these in one line that says what to do.
"""

from __future__ import annotations

from collections.abc import Iterable

from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import PipelineOptions, S3Options

from transforms.storage import no_filesystem

#: botocore settings of the check alone (Beam's own calls keep theirs): seconds to connect
#: and to read, attempts in all.
CHECK_TIMEOUTS = {"connect_timeout": 5, "read_timeout": 15, "retries": {"total_max_attempts": 2}}
#: S3 error codes that mean the credentials themselves were refused.
REFUSED_CREDENTIALS = {"InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken"}


def store_problems(paths: Iterable[str], options: PipelineOptions) -> dict[str, str]:
    """``{path: why its store cannot be used, and what to do}`` for the paths whose store
    cannot be used; local paths are always usable. Each bucket is asked once."""
    problems: dict[str, str] = {}
    answers: dict[str, str | None] = {}
    for path in paths:
        scheme = FileSystems.get_scheme(path)
        if scheme is None:
            continue
        try:
            FileSystems.get_filesystem(path)
        except ValueError:
            problems[path] = no_filesystem(scheme)
            continue
        if scheme != "s3":
            continue
        bucket = path.split("://", 1)[1].split("/", 1)[0]
        if bucket not in answers:
            answers[bucket] = _s3_problem(bucket, options.view_as(S3Options))
        if answers[bucket] is not None:
            problems[path] = answers[bucket]
    return problems


def _s3_problem(bucket: str, s3: S3Options) -> str | None:
    """Why ``bucket`` cannot be used with these settings, or None. A bucket the credentials
    may not list is left to the run (reading named objects may still be allowed)."""
    try:
        import boto3
        from botocore.config import Config
        from botocore.exceptions import (
            BotoCoreError,
            ClientError,
            NoCredentialsError,
            NoRegionError,
            ReadTimeoutError,
        )
        from botocore.exceptions import ConnectionError as Unreachable
    except ImportError:
        return "Beam's S3 filesystem needs boto3: pip install 'curate[s3]' (or boto3)"
    client = boto3.session.Session().client(
        "s3",
        region_name=s3.s3_region_name,
        api_version=s3.s3_api_version,
        use_ssl=not s3.s3_disable_ssl,
        verify=s3.s3_verify,
        endpoint_url=s3.s3_endpoint_url,
        aws_access_key_id=s3.s3_access_key_id,
        aws_secret_access_key=s3.s3_secret_access_key,
        aws_session_token=s3.s3_session_token,
        config=Config(**CHECK_TIMEOUTS),
    )
    endpoint = client.meta.endpoint_url
    try:
        client.list_objects_v2(Bucket=bucket, MaxKeys=1)
    except NoCredentialsError:
        return (
            "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or "
            "AWS_PROFILE), or pass --s3_access_key_id and --s3_secret_access_key"
        )
    except NoRegionError:
        return "no AWS region: set AWS_DEFAULT_REGION or pass --s3_region_name"
    except (Unreachable, ReadTimeoutError):
        return (
            f"cannot reach the S3 endpoint {endpoint}: check --s3_endpoint_url "
            "(AWS_ENDPOINT_URL_S3 for inspect and report) and the network"
        )
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code == "NoSuchBucket":
            return f"bucket {bucket!r} does not exist at {endpoint}: create it or fix the name"
        if code in REFUSED_CREDENTIALS:
            return f"{endpoint} refused the credentials ({code}): check the AWS keys"
        if code == "PermanentRedirect":
            return f"bucket {bucket!r} is in another region: set --s3_region_name"
        if code == "AccessDenied":
            return None
        return f"{endpoint}: {error}"
    except BotoCoreError as error:
        return f"{endpoint}: {error}"
    return None
