"""Copiloto's own provider rules: the shapes gitleaks has no rule for, or names differently, kept as they were
before gitleaks' rules came in (their kinds are what the summaries and tests have always said)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from copiloto.cloud.redact.gitleaks import Hit


@dataclass(frozen=True)
class Rule:
    kind: str
    pattern: re.Pattern[str]
    keywords: tuple[str, ...]  # one of them (lower case) is in every match: texts without any are not searched
    secret_group: int | str = 0  # the part of the match that is the secret


def _rule(kind: str, keywords: str, pattern: str, group: int | str = 0) -> Rule:
    return Rule(kind, re.compile(pattern), tuple(keywords.split()), group)


RULES: tuple[Rule, ...] = (
    _rule("jwt", "eyj", r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    _rule("anthropic-key", "sk-ant-", r"\bsk-ant-[A-Za-z0-9_-]{20,}"),
    _rule("openai-key", "sk-", r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}"),
    _rule(
        "aws-access-key-id",
        "akia asia abia acca agpa aida aroa anpa",
        r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA)[A-Z0-9]{16}\b",
    ),
    _rule(
        "aws-secret-key",
        "secret",
        r"(?i:aws_?secret_?(?:access_?)?key|secretaccesskey)\s*[\"']?\s*(?:=|:|=>|:=)\s*[\"']?([A-Za-z0-9/+=]{40})\b",
        1,
    ),
    _rule(
        "github-token",
        "ghp_ gho_ ghu_ ghs_ ghr_ github_pat_",
        r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})",
    ),
    _rule("gitlab-token", "gl", r"\bgl(?:pat|dt|rt|ptt|ft|cbt|imt|agent|oas|soat|ffct)-[A-Za-z0-9_-]{20,}"),
    _rule("slack-token", "xox xapp-", r"\bxox[abposre]-[A-Za-z0-9-]{10,}|\bxapp-\d-[A-Za-z0-9-]{10,}"),
    _rule(
        "slack-webhook",
        "hooks.slack.com",
        r"https://hooks\.slack\.com/(?:services|workflows|triggers)/([A-Za-z0-9_/]+)",
        1,
    ),
    _rule(
        "stripe-key", "_live_ _test_ whsec_", r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}|\bwhsec_[A-Za-z0-9]{24,}"
    ),
    _rule("google-api-key", "aiza", r"\bAIza[0-9A-Za-z_-]{35}"),
    _rule("google-oauth-secret", "gocspx-", r"\bGOCSPX-[A-Za-z0-9_-]{20,}"),
    _rule("huggingface-token", "hf_", r"\bhf_[A-Za-z0-9]{30,}"),
    _rule("npm-token", "npm_", r"\bnpm_[A-Za-z0-9]{36}\b"),
    _rule("pypi-token", "pypi-", r"\bpypi-[A-Za-z0-9_-]{50,}"),
    _rule("sendgrid-key", "sg.", r"\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}"),
    _rule("mailgun-key", "key-", r"\bkey-[0-9a-zA-Z]{32}\b"),
    _rule("twilio-key", "sk", r"\bSK[0-9a-fA-F]{32}\b"),
    _rule("azure-storage-key", "accountkey", r"(?i:AccountKey)=([A-Za-z0-9+/=]{40,})", 1),
    _rule("azure-ad-client-secret", "q~", r"(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}"),
    _rule("digitalocean-token", "_v1_", r"\bdo[opr]_v1_[a-f0-9]{64}\b"),
    _rule("shopify-token", "shp", r"\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b"),
    _rule("telegram-bot-token", ":aa", r"\b\d{8,10}:AA[A-Za-z0-9_-]{33}\b"),
    _rule("discord-token", ".", r"\b[MN][A-Za-z\d]{23,25}\.[\w-]{6}\.[\w-]{27,38}\b"),
    _rule(
        "discord-webhook",
        "webhooks",
        r"https://(?:\w+\.)?discord(?:app)?\.com/api/webhooks/\d+/([A-Za-z0-9_-]{30,})",
        1,
    ),
    _rule("teams-webhook", "webhook.office.com", r"https://[\w.-]+\.webhook\.office\.com/webhookb2/([\w@/-]{40,})", 1),
    _rule("square-token", "sq0", r"\bsq0(?:atp|csp)-[A-Za-z0-9_-]{22,}"),
    _rule("databricks-token", "dapi", r"\bdapi[a-f0-9]{32}\b"),
    _rule("docker-token", "dckr_", r"\bdckr_(?:pat|oat)_[A-Za-z0-9_-]{20,}"),
    _rule("vault-token", "hvs. hvb. hvr.", r"\bhv[sbr]\.[A-Za-z0-9_-]{20,}"),
    _rule("grafana-token", "glsa_ glc_", r"\bgl(?:sa|c)_[A-Za-z0-9_+/=-]{32,}"),
    _rule("atlassian-token", "atatt3", r"\bATATT3[A-Za-z0-9_=-]{20,}"),
    _rule("heroku-token", "hrku-", r"\bHRKU-[A-Za-z0-9_-]{20,}"),
    _rule("artifactory-key", "akc", r"\bAKC[a-zA-Z0-9]{10,}"),
    _rule("age-secret-key", "age-secret-key-1", r"\bAGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{50,}"),
    # Prefixes distinctive enough to need no name beside them (gitleaks asks for one).
    _rule("newrelic-key", "nrak- nrii- nrjs- nraa-", r"\bNR(?:AK|II|JS|AA)-[A-Za-z0-9]{20,}"),
    _rule("supabase-token", "sbp_", r"\bsbp_[a-f0-9]{40}\b"),
    _rule("adafruit-key", "aio_", r"\baio_[A-Za-z0-9]{28}\b"),
    _rule("figma-token", "figd_", r"\bfigd_[A-Za-z0-9_-]{40,}"),
    _rule("notion-token", "secret_ ntn_", r"\b(?:secret_[A-Za-z0-9]{43}|ntn_[A-Za-z0-9]{40,})\b"),
    _rule("linear-key", "lin_api_", r"\blin_api_[A-Za-z0-9]{40}\b"),
    _rule("postman-key", "pmak-", r"\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b"),
    _rule("sentry-token", "sntrys_ sntryu_", r"\bsntry[su]_[A-Za-z0-9+/=_]{30,}"),
    _rule("terraform-token", "atlasv1", r"\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,}"),
    _rule("pulumi-token", "pul-", r"\bpul-[a-f0-9]{40}\b"),
    _rule("fly-token", "fo1_", r"\bfo1_[A-Za-z0-9_-]{40,}"),
    _rule("planetscale-token", "pscale_", r"\bpscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.=-]{32,}"),
    _rule("doppler-token", "dp.", r"\bdp\.(?:pt|st|ct|sa|scim|audit)\.[A-Za-z0-9]{40,}"),
    _rule("shippo-token", "shippo_", r"\bshippo_(?:live|test)_[a-f0-9]{40}\b"),
)


def find(text: str) -> Iterator[Hit]:
    lowered = text.lower()
    for rule in RULES:
        if not any(k in lowered for k in rule.keywords):
            continue
        for match in rule.pattern.finditer(text):
            if match.group(rule.secret_group):
                yield Hit(*match.span(rule.secret_group), rule.kind)
