"""One pydantic settings model: the single source of truth for every setting.

Precedence, lowest first: defaults < config file < environment (COPILOTO_*, nested with "__")
< LSP initializationOptions < workspace/didChangeConfiguration.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from platformdirs import user_config_dir
from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from copiloto.excludes import DEFAULT_EXCLUDES as _DEFAULT_EXCLUDES

# A model's fill-in-the-middle format (engine/fim.py reads it from the GGUF; the catalog and a remote server's
# settings name it): the one definition. "other": FIM tokens of no known family; "none": no FIM at all.
FimFamily = Literal["codellama", "qwen", "codegemma", "starcoder", "deepseek", "other", "none"]


class EngineSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    backend: Literal["local", "remote"] = Field(
        "local",
        description="Inference backend. 'local' embeds llama.cpp; 'remote' uses the OpenAI-compatible server at "
        "engine.url (vLLM, llama-server, Ollama, llama-cpp-python's server; see docs/deploy.md).",
    )
    model: str | None = Field(
        None,
        description="Catalog name (see `copiloto models list`) or path to a GGUF file. "
        "Empty: codellama-13b on a GPU build when present, else the embedded `tiny`. With the remote backend: "
        "set it to have a local model take over while the server cannot be reached.",
    )
    url: str | None = Field(
        None,
        pattern=r"^https?://",
        description="The remote backend's server, e.g. http://gpu-box:8000 (with or without /v1). A bearer "
        "token, when the server wants one, comes from the COPILOTO_ENGINE_API_KEY environment variable.",
    )
    remote_model: str | None = Field(
        None, description="The model id to ask the remote server for. Empty: the first one its /v1/models lists."
    )
    fim_family: FimFamily | None = Field(
        None,
        description="The remote model's fill-in-the-middle format. Empty: from its model id, matched against the "
        "catalog (codellama-13b.Q4_K_M.gguf -> codellama).",
    )
    n_gpu_layers: int = Field(-1, description="Layers offloaded to the GPU; -1 offloads all, 0 keeps the CPU.")
    n_ctx: int = Field(4096, ge=256, description="Context window in tokens.")
    n_threads: int | None = Field(
        None, ge=1, description="CPU threads for decoding. Empty: chosen from the machine (see `copiloto doctor`)."
    )
    n_batch: int = Field(512, ge=32, description="Prompt tokens evaluated per batch.")
    request_timeout_s: float = Field(8.0, gt=0, description="Hard cap on one generation, in seconds.")
    background_idle_ms: int = Field(
        1500,
        ge=0,
        description="Background work (the review on save, log triage) starts only after this long without a "
        "completion request, and gives way to the next one: while you type, the model and its cache are yours.",
    )


class CompletionSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(True, description="Offer inline completions (ghost text).")
    max_prefix_tokens: int = Field(1024, ge=16, description="Budget of model tokens taken before the cursor.")
    max_suffix_tokens: int = Field(
        64,
        ge=0,
        description="Budget of model tokens taken after the cursor. Kept short: with prefix-suffix-middle models "
        "the suffix is re-evaluated on every keystroke.",
    )
    max_tokens_single_line: int = Field(48, ge=1, description="Most tokens generated for a single-line completion.")
    max_tokens_multi_line: int = Field(96, ge=1, description="Most tokens generated for a multi-line completion.")
    multi_line_time_ms: int = Field(
        1000,
        ge=0,
        description="Once a multi-line completion has a whole line, stop at its last line end after this many "
        "milliseconds of generation, so slow hardware shows the first lines before the user moves on "
        "(llama.cpp's t_max_predict_ms). 0: no limit.",
    )
    token_healing: bool = Field(
        True,
        description="Re-generate the word fragment before the cursor so the model picks its own token boundary "
        "(small models answer nothing after half a word otherwise).",
    )
    cache_size: int = Field(256, ge=0, description="Completions remembered (LRU) to answer repeats and typing ahead.")


class DocstringSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    style: Literal["google", "numpy", "sphinx"] = Field(
        "google", description="Docstring convention written and checked (ruff's pydocstyle rules)."
    )


class TestSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    __test__ = False  # not a pytest test class

    python: Path | None = Field(
        None,
        description="Interpreter that runs generated tests (it needs pytest; coverage for the numbers). "
        "Empty: the workspace's .venv or venv when there is one, else the server's own.",
    )
    # Upper bounds: a workspace's settings must not turn the sandbox's limits off.
    timeout_s: float = Field(
        10.0, gt=0, le=300, description="Wall-clock limit on one run of one generated test, in seconds (at most 300)."
    )
    memory_mb: int = Field(
        1024, ge=64, le=16384, description="Address-space limit on one run of a generated test, in MB (at most 16384)."
    )
    max_tests: int = Field(8, ge=1, le=50, description="Most tests written per function before verification.")
    rounds: int = Field(
        2, ge=1, le=5, description="Drafts per function: a later one sees why the earlier tests failed."
    )
    env_allow: list[Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*\*?$")]] = Field(
        default_factory=list,
        description="Environment variables of the server that generated tests may see, besides PATH, LANG, "
        "LANGUAGE, LC_*, TZ and TERM: names, or prefixes ending in * (MYAPP_*). Nothing else reaches them.",
    )


class ReviewSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on_save: bool = Field(
        True, description="Review Python files on save: bandit's checks (instant), then the local model."
    )
    local_model: bool = Field(
        True, description="Also ask the local model about each function that changed since its last review."
    )
    max_file_kb: int = Field(2000, ge=1, description="Larger files are not reviewed (generated code, data).")
    handoff_severity: Literal["error", "warning", "never"] = Field(
        "error",
        description="Local findings at or above this severity are handed to the deep reviewer (Claude) when one "
        "is configured; 'never' keeps every review local unless asked for.",
    )


class LogSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(True, description="Watch GLPI log files and show their errors as diagnostics.")
    globs: list[str] = Field(
        default_factory=lambda: ["**/files/_log/*.log"],
        description="Log files to watch, as globs relative to the workspace folders (or absolute).",
    )
    classify_with_model: bool = Field(
        True, description="Rate the severity of log entries no rule recognises with the local model."
    )


class CloudSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(
        True, description="Use Claude for the work handed to it when ANTHROPIC_API_KEY is set; off: local only."
    )
    model: str = Field(
        "claude-sonnet-5-5", description="Claude model name (any current one; the SDK warns about deprecated names)."
    )
    max_tokens: int = Field(4096, ge=1, description="Most tokens Claude may answer with.")
    timeout_s: float = Field(120.0, gt=0, description="Limit on one request to Claude, in seconds.")
    max_retries: int = Field(
        3, ge=0, le=10, description="Retries after 429/5xx/529 (backoff, honouring retry-after) before giving up."
    )
    daily_token_budget: int = Field(
        2_000_000, ge=0, description="Tokens (input + output) Claude may use per day; 0: no limit."
    )
    audit_file: Path | None = Field(
        None, description="When set, every request sent to Claude is appended to this file as sent (after redaction)."
    )
    exclude: list[str] = Field(
        default_factory=list,
        description="Files never sent to Claude besides the built-in list (.env*, *.pem, *.key, id_*, secrets.*, "
        "settings.*, kubeconfigs, *.tfstate, *.tfvars, .pgpass, .my.cnf, wp-config.php, config_db.php, glpicrypt.key, "
        "and their backups, ...): globs on the file name or path. '!glob' sends a file the "
        "built-in list keeps back (as in .gitignore).",
    )

    def never_sent(self) -> tuple[str, ...]:
        """The patterns every request is checked against: the built-in list, then the user's (which may undo it)."""
        return (*_DEFAULT_EXCLUDES, *self.exclude)


# How a task pairs the local model with Claude (orchestrate/): the one definition of the three patterns.
Pattern = Literal["sequential", "concurrent", "handoff", "local"]


class OrchestrateSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    review: Pattern = Field(
        "handoff",
        description="How the review on save pairs the local model with Claude: handoff (Claude takes the findings at "
        "or above review.handoff_severity), sequential (the local model drafts, Claude refines every review), "
        "concurrent (both review, agreement and disagreement shown), local (never Claude on save).",
    )
    docstrings: Pattern = Field(
        "sequential",
        description="Docstrings: sequential (the local model writes, Claude refines; Claude's text is kept only if it "
        "passes the same checks), concurrent (both write at once; Claude's is used when it passes the checks and "
        "the message says whether the two agree on exceptions and return), handoff (Claude writes one only when "
        "every local draft failed the checks) or local. Without an API key all are local.",
    )
    tests: Pattern = Field(
        "sequential",
        description="Generated tests: sequential (the local model drafts, Claude refines, every test is then run "
        "and kept only if it passes), concurrent (both write tests at once, all are run, passing ones kept; the "
        "result says which calls they agree and disagree on), handoff (Claude is asked only when the local tests "
        "fall short: none kept or lines left uncovered; its tests are verified the same way and added) or local. "
        "Without an API key all are local.",
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COPILOTO_", env_nested_delimiter="__", extra="ignore")

    engine: EngineSettings = Field(default_factory=EngineSettings)
    completion: CompletionSettings = Field(default_factory=CompletionSettings)
    docstrings: DocstringSettings = Field(default_factory=DocstringSettings)
    tests: TestSettings = Field(default_factory=TestSettings)
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    logs: LogSettings = Field(default_factory=LogSettings)
    cloud: CloudSettings = Field(default_factory=CloudSettings)
    orchestrate: OrchestrateSettings = Field(default_factory=OrchestrateSettings)
    models_dir: Path | None = Field(
        None, description="Where downloaded weights live. Empty: the repo's models/ folder or the user cache."
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field("info", description="Server log level.")


def default_config_file() -> Path:
    return Path(os.environ.get("COPILOTO_CONFIG", Path(user_config_dir("copiloto")) / "config.toml"))


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Merge two nested dicts; values of `override` win, sub-dicts merge key by key."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _normalise(layer: Mapping[str, Any] | None) -> dict[str, Any]:
    """Accept both VS Code style ({"copiloto": {...}}) and flat layers; drop nulls so they don't override."""
    if not layer:
        return {}
    data = layer.get("copiloto", layer)
    if not isinstance(data, Mapping):
        return {}
    return {k: (_normalise(v) if isinstance(v, Mapping) else v) for k, v in data.items() if v is not None}


def load_settings(
    *layers: Mapping[str, Any] | None,
    config_file: Path | None = None,
) -> Settings:
    """Build Settings from the config file, the environment, then each layer in order (later wins)."""
    file_layer: dict[str, Any] = {}
    path = config_file or default_config_file()
    if path.is_file():
        with path.open("rb") as fh:
            file_layer = _normalise(tomllib.load(fh))
    env = Settings().model_dump(exclude_unset=True)  # environment only: defaults are not "set"
    merged = deep_merge(file_layer, env)
    for layer in layers:
        merged = deep_merge(merged, _normalise(layer))
    return Settings.model_validate(merged)
