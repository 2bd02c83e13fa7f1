"""Rendering a small template thousands of times by filling in its text (a "stamp").

A reminder run renders each action row (``actions/emails/reminder_row.{txt,html}``) once per
action, thousands of times; Django's template engine spends most of that walking nodes and
contexts for a row whose shape hardly varies. :class:`TemplateStamp` renders the template
once per *shape* (which string values are empty, and the booleans) with a marker in place
of each non-empty string, and keeps the output split at the markers. A row is then the
pieces joined with its values, each escaped exactly where the template escaped the marker
(the marker carries an ``&``, so an escaped output shows as ``&amp;``), as the template's
``conditional_escape`` does.

So a template may use a string value only as ``{{ name }}`` or in ``{% if name %}``. That is
checked when the stamp is made, on the compiled template itself (:func:`stampable`): text,
comments, ``{% autoescape %}``, bare ``{{ name }}`` and ``{% if name %}``/``{% else %}``
and nothing else (no filter, no comparison, no other tag), or every row is rendered by the
engine. Each shape's stamp is also checked against a real render of the first values it
meets: if they differ, that shape is always rendered by the engine. Values of other types
(not ``str`` or ``bool``) are always rendered by the engine.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from django.template import Context
from django.template.base import TextNode, Variable, VariableNode
from django.template.defaulttags import AutoEscapeControlNode, CommentNode, IfNode, TemplateLiteral
from django.utils.safestring import SafeString, mark_safe

# The marker of a value: ``&`` shows whether it was escaped; a letter and the NULs whether a
# filter changed it (upper, title, cut), which leaves a NUL outside any whole marker.
_MARK = "\x00&v{}\x00"
_MARKS = re.compile("\x00(&|&amp;)v(\\d+)\x00")

# A shape's pieces: literal text and (value index, escaped) in turn; None renders by the engine.
Pieces = list[str | tuple[int, bool]] | None
# A shape's stamp: its output as a format text and each slot's (value index, escaped); None
# renders by the engine.
Stamp = tuple[str, tuple[tuple[int, bool], ...]] | None


def stampable(nodes: Any) -> bool:
    """Whether a compiled template's ``nodes`` use their values only as a stamp can fill
    them in: text, comments, ``{% autoescape %}`` blocks, bare ``{{ name }}`` and
    ``{% if name %}`` (with ``{% else %}``), and nothing else."""
    for node in nodes:
        if isinstance(node, TextNode | CommentNode):
            continue
        if isinstance(node, AutoEscapeControlNode):
            if not stampable(node.nodelist):
                return False
        elif isinstance(node, VariableNode):
            if not _bare(node.filter_expression):
                return False
        elif isinstance(node, IfNode):
            for condition, branch in node.conditions_nodelists:
                if condition is not None and not (
                    isinstance(condition, TemplateLiteral) and _bare(condition.value)
                ):
                    return False
                if not stampable(branch):
                    return False
        else:
            return False
    return True


def _bare(expression: Any) -> bool:
    """``{{ name }}``: one variable by its name, no lookup into it and no filter."""
    var = expression.var
    return (
        not expression.filters
        and isinstance(var, Variable)
        and var.lookups is not None
        and len(var.lookups) == 1
    )


class TemplateStamp:
    """A compiled template (``Template``, as ``get_template(...).template`` gives) rendered
    by filling in the pieces of its output; ``autoescape`` as the Context it renders with."""

    def __init__(self, template: Any, *, autoescape: bool = True) -> None:
        self.template = template
        self.autoescape = autoescape
        self._shapes: dict[tuple, Stamp] = {}
        # A template that does more with a value than print it or test it renders by the
        # engine, every row: a stamp could not show what a comparison or filter decides.
        self.is_stampable = stampable(template.nodelist)

    def render(self, values: dict[str, Any]) -> SafeString:
        """What ``template.render(Context(values, autoescape=...))`` gives."""
        if not self.is_stampable:
            return self._engine(values)
        ordered = tuple(values.values())
        flags = []
        for value in ordered:
            kind = type(value)
            if kind is bool:
                flags.append(value)
            elif kind is str:
                flags.append(value != "")
            else:
                return self._engine(values)
        shape = (tuple(values), *flags)
        if shape not in self._shapes:
            self._shapes[shape] = self._stamp(values)
        stamp = self._shapes[shape]
        if stamp is None:
            return self._engine(values)
        # The template's own output, each value escaped where the template escaped it.
        return mark_safe(_fill(stamp, ordered))  # noqa: S308

    def _stamp(self, values: dict[str, Any]) -> Stamp:
        """The shape's stamp, checked against the engine's render of ``values``."""
        pieces = self._pieces(values)
        if pieces is None:
            return None
        stamp = _compiled(pieces)
        if _fill(stamp, tuple(values.values())) != self._engine(values):
            return None
        return stamp

    def _engine(self, values: dict[str, Any]) -> SafeString:
        return self.template.render(Context(values, autoescape=self.autoescape))

    def _pieces(self, values: dict[str, Any]) -> Pieces:
        """The template's output for this shape, split at each string value's marker."""
        marked = {
            name: _MARK.format(i) if type(value) is str and value else value
            for i, (name, value) in enumerate(values.items())
        }
        output = str(self._engine(marked))
        pieces: list[str | tuple[int, bool]] = []
        start = 0
        for match in _MARKS.finditer(output):
            pieces += [output[start : match.start()], (int(match[2]), match[1] != "&")]
            start = match.end()
        pieces.append(output[start:])
        if any("\x00" in piece for piece in pieces if isinstance(piece, str)):
            return None  # a marker came out changed (cut, or run through a filter)
        return pieces


def _compiled(pieces: list[str | tuple[int, bool]]) -> tuple[str, tuple[tuple[int, bool], ...]]:
    """The pieces as a ``str.format`` text with a slot per value and the slots' (value
    index, escaped) in order."""
    text = "".join(
        piece.replace("{", "{{").replace("}", "}}") if isinstance(piece, str) else "{}"
        for piece in pieces
    )
    return text, tuple(piece for piece in pieces if not isinstance(piece, str))


def _fill(stamp: tuple[str, tuple[tuple[int, bool], ...]], ordered: tuple) -> str:
    """The stamp filled in with the values. Only plain ``str`` values reach here, which
    ``conditional_escape`` escapes as ``html.escape`` does (``django.utils.html.escape``)."""
    text, slots = stamp
    return text.format(*[escape(ordered[i]) if escaped else ordered[i] for i, escaped in slots])
