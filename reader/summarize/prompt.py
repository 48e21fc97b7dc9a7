"""Prompts: their versioned texts, and the exact tokens given to the model.

The article is data, never instructions. A chat template rendered with the article inside and then
tokenized with special tokens parsed would turn an article's ``<|im_end|>`` or ``<|channel|>`` into
the real control tokens, letting a web page close the user's turn and write its own. So the
template is rendered with a placeholder where the article goes, split there, and only the
template's own parts are tokenized with special tokens parsed; the article is tokenized as plain
text. ``create_chat_completion`` does the former.

The texts live in ``resources/prompts/v<PROMPT_VERSION>/``; a file of the same name in the
``prompts`` folder of the settings folder overrides one of them.
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from reader import paths, settings
from reader.errors import ModelError

PROMPT_VERSION = "2"
# Declared with the settings; each style has a prompt text of its name.
STYLES = tuple(settings.choices("summary_style"))
DEFAULT_STYLE = settings.default("summary_style")
REASONING_EFFORTS = tuple(settings.choices("reasoning_effort"))
ARTICLE_LANGUAGE = "the language of the article"
TEXT_NAMES = ("system", *STYLES, "part", "combine", "ask")

# For a GGUF without a chat template: ChatML, the most common format.
CHATML = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}"
    "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


class Vocabulary(Protocol):
    """What ``build`` needs of a model; ``llama_cpp.Llama`` is one."""

    metadata: dict[str, str]

    def tokenize(self, text: bytes, add_bos: bool = True, special: bool = False) -> list[int]: ...

    def detokenize(self, tokens: list[int], prev_tokens=None, special: bool = False) -> bytes: ...

    def token_bos(self) -> int: ...

    def token_eos(self) -> int: ...


@dataclass(frozen=True)
class Prompt:
    ids: list[int]
    data: slice  # where the data's tokens are in ``ids``
    starts_in_reasoning: bool  # the template opened <think>: the answer starts inside it
    reasons: bool  # a reasoning model's template (<think> or harmony): give it room to think

    @property
    def data_ids(self) -> list[int]:
        return self.ids[self.data]


# The texts


def text_folders() -> list[Path]:
    """Where prompt texts are looked for, first match wins: the user's, then Reader's own."""
    return [
        paths.config_dir() / "prompts",
        paths.resources_dir() / "prompts" / f"v{PROMPT_VERSION}",
    ]


def load_text(name: str) -> str:
    user, shipped = text_folders()
    if name not in TEXT_NAMES:
        raise ValueError(f"No prompt called {name!r}")
    for folder in (user, shipped):
        path = folder / f"{name}.txt"
        if path.is_file():
            return path.read_text(encoding="utf-8").strip()
    raise FileNotFoundError(shipped / f"{name}.txt")


def version(style: str = DEFAULT_STYLE, language: str | None = None) -> str:
    """What a stored summary's prompt is known by: ``1/short``, ``1/short/German``, and
    ``+user-<hash>`` added when the user's own prompt texts took part."""
    _check_style(style)
    key = f"{PROMPT_VERSION}/{style}" + (f"/{language}" if language else "")
    user = text_folders()[0]
    overridden = [user / f"{name}.txt" for name in TEXT_NAMES if (user / f"{name}.txt").is_file()]
    if overridden:
        digest = hashlib.sha256()
        for path in overridden:
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        key += f"+user-{digest.hexdigest()[:8]}"
    return key


def system_text() -> str:
    return load_text("system")


def instruction(style: str = DEFAULT_STYLE, language: str | None = None) -> str:
    """What to write: ``style`` is one of STYLES; ``language`` None means the article's own."""
    _check_style(style)
    return _fill(load_text(style), language=language or ARTICLE_LANGUAGE)


def part_instruction(part: int, parts: int, language: str | None = None) -> str:
    """For the summary of part ``part`` (from 1) of ``parts`` of a long article: the same text
    for every part (the part's number heads its data, ``part_data``), unless the user's own text
    asks for ``{part}`` and ``{parts}``."""
    return _fill(load_text("part"), part=str(part), parts=str(parts),
                 language=language or ARTICLE_LANGUAGE)


def combine_instruction(style: str = DEFAULT_STYLE, language: str | None = None) -> str:
    """For joining the summaries of an article's parts into one summary in ``style``."""
    return _fill(load_text("combine"), instruction=instruction(style, language),
                 language=language or ARTICLE_LANGUAGE)


def article_data(title: str, text: str) -> str:
    title = " ".join(title.split())
    return f"Title: {title}\n\n{text.strip()}" if title else text.strip()


def part_data(title: str, text: str, part: int, parts: int) -> str:
    """One part of a long article, after what all its parts share (the title): every part's
    prompt then starts with the same tokens, which the model keeps from one part to the next."""
    return article_data(title, f"Part {part} of {parts}:\n{text.strip()}")


def parts_data(summaries: list[str]) -> str:
    # Paragraphs in order, without "Part n:" heads: models copied those into the final summary.
    return "\n\n".join(summary.strip() for summary in summaries)


def _fill(text: str, **values: str) -> str:
    # Only our own placeholders: a user's text may hold any other braces.
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def _check_style(style: str) -> None:
    if style not in STYLES:
        raise ValueError(f"Unknown summary style {style!r}; one of {', '.join(STYLES)}")


# The tokens


def build(
    vocab: Vocabulary,
    data: str,
    instruction: str,
    *,
    system: str | None = None,
    reasoning_effort: str | None = "low",
    template: str | None = None,
) -> Prompt:
    """The tokens asking the model to follow ``instruction`` on ``data`` (the article).

    ``template`` replaces the model's own chat template (``tokenizer.chat_template`` in the GGUF).
    ``reasoning_effort`` goes to templates that take it (GPT-OSS); other reasoning models get a
    ``Reasoning: low`` line in the system message; models that do not reason get nothing.

    BOS: llama.cpp adds it to the template's first part when the GGUF asks for one
    (``tokenizer.ggml.add_bos_token``, or its tokenizer's default); when the template wrote it
    too (``{{ bos_token }}``), one of the two goes.
    """
    if reasoning_effort not in (None, *REASONING_EFFORTS):
        raise ValueError(f"Unknown reasoning effort {reasoning_effort!r}")
    template = template or vocab.metadata.get("tokenizer.chat_template") or CHATML
    system = system_text() if system is None else system
    if reasoning_effort and "reasoning_effort" not in template and _reasons(template):
        system = f"{system}\n\nReasoning: {reasoning_effort}".strip()
    placeholder = f"READERARTICLE{uuid.uuid4().hex}"
    rendered = _render(vocab, template, system, f"{instruction}\n\n{placeholder}", reasoning_effort)
    if rendered.count(placeholder) != 1:
        raise ModelError("The model's chat template does not show the article exactly once.")
    before, after = rendered.split(placeholder)

    head = vocab.tokenize(before.encode("utf-8"), add_bos=True, special=True)
    bos = vocab.token_bos()
    if bos >= 0 and head[:2] == [bos, bos]:  # the template wrote BOS and llama.cpp added one
        head = head[1:]
    body = vocab.tokenize(data.encode("utf-8"), add_bos=False, special=False)
    tail = vocab.tokenize(after.encode("utf-8"), add_bos=False, special=True)
    return Prompt(
        ids=head + body + tail,
        data=slice(len(head), len(head) + len(body)),
        starts_in_reasoning=after.rfind("<think>") > after.rfind("</think>"),
        reasons=_reasons(template),
    )


def overhead(vocab: Vocabulary, instruction: str, **options) -> int:
    """Tokens a prompt takes besides its data."""
    return len(build(vocab, "", instruction, **options).ids)


def messages(data: str, instruction: str, *, system: str | None = None) -> list[dict]:
    """The same request as chat messages, for a backend that takes no tokens (a server)."""
    system = system_text() if system is None else system
    return [{"role": "system", "content": system},
            {"role": "user", "content": f"{instruction}\n\n{data}"}]


def template_reasons(metadata: dict[str, object]) -> bool:
    """Whether a GGUF's chat template (in its ``metadata``) is a reasoning model's."""
    template = metadata.get("tokenizer.chat_template")
    return _reasons(template if isinstance(template, str) and template else CHATML)


def _reasons(template: str) -> bool:
    return "<think>" in template or "<|channel|>" in template


def _render(vocab: Vocabulary, template: str, system: str, user: str, effort: str | None) -> str:
    from jinja2 import TemplateError

    formatter = _formatter(template, _token_text(vocab, vocab.token_eos()),
                           _token_text(vocab, vocab.token_bos()))
    extra = {"reasoning_effort": effort} if effort else {}
    try:
        return formatter(messages=[{"role": "system", "content": system},
                                   {"role": "user", "content": user}], **extra).prompt
    except (TemplateError, ValueError):
        # Some templates (older Mistral, Gemma 2) refuse a system message: put it in the user's.
        try:
            return formatter(messages=[{"role": "user", "content": f"{system}\n\n{user}"}],
                             **extra).prompt
        except (TemplateError, ValueError) as error:
            raise ModelError(f"The model's chat template failed: {error}") from error


# A summary builds four prompts before its first token (three measure what is not the article),
# and compiling the chat template each time made them take 8 ms, 1.5 ms with it compiled once
# (SmolLM2's template). A formatter keeps nothing from one rendering to the next.
# A template that does not compile (a GGUF is the user's file, from anywhere) is the model's
# fault, said as such; it is tried again next time (a failure is not cached).
@functools.lru_cache(maxsize=8)
def _formatter(template: str, eos: str, bos: str):
    from jinja2 import TemplateError
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    try:
        return Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos,
                                   add_generation_prompt=True)
    except TemplateError as error:
        raise ModelError(f"The model's chat template is not valid: {error}") from error


def _token_text(vocab: Vocabulary, token: int) -> str:
    return vocab.detokenize([token], special=True).decode("utf-8", "replace") if token >= 0 else ""
