"""argparse in the run's language: its messages translated, and the parser that says them.

argparse writes a few texts of its own: the usage prefix, the -h help, the titles of its argument
groups and its error messages. With public means only (no patching of argparse or gettext) they
are said in the run's language: a HelpFormatter with our usage prefix, add_help=False and our own
-h/--help, our own argument groups with translated titles, and error() overridden to translate the
message. argparse's messages are the msgids of its gettext catalogue (the same in Python 3.11-3.13);
error() matches the message against them and says it with our words.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import functools
import re
import sys

from . import words

#: argparse's msgids and the key of each in words/; %(name)s and %s are the fields.
ARGPARSE_MESSAGES = (
    ("argument %(argument_name)s: %(message)s", "cli.argparse.argument"),
    ("invalid choice: %(value)r (choose from %(choices)s)", "cli.argparse.invalid_choice"),
    ("invalid %(type)s value: %(value)r", "cli.argparse.invalid_value"),
    ("the following arguments are required: %s", "cli.argparse.required"),
    ("unrecognized arguments: %s", "cli.argparse.unrecognized"),
    ("expected one argument", "cli.argparse.expected_one"),
    ("expected at most one argument", "cli.argparse.expected_at_most_one"),
    ("expected at least one argument", "cli.argparse.expected_at_least_one"),
    ("expected %s argument", "cli.argparse.expected_n"),
    ("expected %s arguments", "cli.argparse.expected_n"),
    ("ambiguous option: %(option)s could match %(matches)s", "cli.argparse.ambiguous"),
    ("not allowed with argument %s", "cli.argparse.not_allowed_with"),
    ("one of the arguments %s is required", "cli.argparse.one_required"),
    ("ignored explicit argument %r", "cli.argparse.ignored_explicit"),
)


def _msgid_pattern(msgid: str) -> re.Pattern:
    """A regular expression that matches what argparse makes of ``msgid``, its fields as named groups."""
    pattern, at = "", 0
    for field in re.finditer(r"%(?:\((\w+)\))?[rs]", msgid):
        pattern += re.escape(msgid[at : field.start()]) + f"(?P<{field.group(1) or 'arg'}>.+?)"
        at = field.end()
    return re.compile("^" + pattern + re.escape(msgid[at:]) + "$", re.DOTALL)


_ARGPARSE_PATTERNS = tuple((_msgid_pattern(msgid), key) for msgid, key in ARGPARSE_MESSAGES)


def _unquote(text: str) -> str:
    """'x' (a repr, as argparse writes values) -> x; anything else as it is."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return text
        return value if isinstance(value, str) else text
    return text


def translate_argparse(message: str, w, options: tuple[str, ...] = ()) -> str:
    """argparse's English ``message`` in the language of ``w``, with "did you mean" where a choice
    or option is close to what was typed; a message argparse may add later is left as it is."""
    for pattern, key in _ARGPARSE_PATTERNS:
        found = pattern.match(message)
        if found is None:
            continue
        fields = found.groupdict()
        if key == "cli.argparse.argument":
            name = fields["argument_name"]  # a positional's dest is an English word: ours instead
            name = w.get(f"cli.metavar.{name}", name) if name.isidentifier() else name
            return w(key, argument=name, message=translate_argparse(fields["message"], w, options))
        if key == "cli.argparse.invalid_choice":
            value = _unquote(fields["value"])
            choices = [_unquote(choice) for choice in fields["choices"].split(", ")]
            text = w(key, value=value, choices=", ".join(choices))
            return text + suggestion(value, choices, w)
        if key == "cli.argparse.invalid_value":
            kind = w.get(f"cli.argparse.type.{fields['type']}", fields["type"])
            return w(key, value=_unquote(fields["value"]), type=kind)
        if key == "cli.argparse.unrecognized":
            option = next((t.split("=", 1)[0] for t in fields["arg"].split(" ") if t.startswith("--")), None)
            return w(key, arguments=fields["arg"]) + (suggestion(option, list(options), w) if option else "")
        if key == "cli.argparse.ambiguous":
            return w(key, option=fields["option"], matches=fields["matches"])
        if key == "cli.argparse.ignored_explicit":
            return w(key, argument=_unquote(fields["arg"]))
        return w(key, **({"arguments": fields["arg"]} if "arg" in fields else {}))
    return message


def suggestion(value: str, choices: list[str], w) -> str:
    near = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    return w("cli.argparse.did_you_mean", suggestion=near[0]) if near else ""


class NapHelpFormatter(argparse.HelpFormatter):
    """argparse's layout of the help, with the usage prefix of the run's language."""

    usage_prefix = "usage: "

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, self.usage_prefix if prefix is None else prefix)


class NapArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser that says its own texts in one language: usage, -h, group titles, errors.

    ``options`` is shared by a parser and its subcommands: every option name, for "did you mean".
    """

    def __init__(self, *args, language: str = "nl", options: list[str] | None = None, **kwargs):
        self.w = words(language)
        self.language = language
        self.options = [] if options is None else options
        formatter: type[NapHelpFormatter] = type(
            "NapHelpFormatter", (NapHelpFormatter,), {"usage_prefix": self.w["cli.usage"]}
        )
        kwargs["add_help"] = False  # our own -h below, with a translated help line
        kwargs["formatter_class"] = formatter  # the usage prefix in the run's language
        super().__init__(*args, **kwargs)
        self.positional_group = self.add_argument_group(self.w["cli.group.positionals"])
        self.option_group = self.add_argument_group(self.w["cli.group.options"])
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help=self.w["cli.help.help"])

    def add_argument(self, *names, **kwargs):
        """Into our own (translated) groups; a value without its own metavar gets the run's word for it."""
        positional = bool(names) and not names[0].startswith(tuple(self.prefix_chars))
        self.options.extend(n for n in names if n.startswith("--"))
        dest = kwargs.get("dest") or names[-1].lstrip(self.prefix_chars).replace("-", "_")
        takes_value = kwargs.get("action", "store") in ("store", "append", "extend")
        if takes_value and "metavar" not in kwargs and "choices" not in kwargs:
            metavar = self.w.get(f"cli.metavar.{dest}")
            if metavar:
                kwargs["metavar"] = metavar
        group = self.positional_group if positional else self.option_group
        return group.add_argument(*names, **kwargs)

    def add_subparsers(self, **kwargs):
        kwargs.setdefault("title", self.w["cli.group.commands"])
        kwargs.setdefault("parser_class", functools.partial(type(self), language=self.language, options=self.options))
        return super().add_subparsers(**kwargs)

    def error(self, message: str):
        self.print_usage(sys.stderr)
        text = translate_argparse(message, self.w, tuple(sorted(set(self.options))))
        self.exit(2, f"{self.prog}: {self.w['cli.error']}: {text}\n")
