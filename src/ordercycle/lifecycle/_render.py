"""Lifecycles as text: Mermaid diagrams, plain-text tables, and definitions as data.

Everything here is deterministic: output follows the declaration order of states and
transitions, wildcard sources expand in state order, and nothing iterates over a set.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ordercycle.lifecycle._parts import Guard, State, Transition

__all__ = [
    "definition_from_dict",
    "definition_to_dict",
    "describe_table",
    "mermaid",
    "mermaid_html",
]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _sources(transition: Transition, states: Sequence[State]) -> list[str]:
    if transition.is_wildcard:
        return [s.name for s in states if not s.final and s.name != transition.target]
    return list(dict.fromkeys(transition.source))


def mermaid(states: Sequence[State], transitions: Sequence[Transition], initial: str) -> str:
    """Render a definition as a Mermaid ``stateDiagram-v2``.

    Lines: the initial arrow, state descriptions, one arrow per (source, transition) in
    declaration order (wildcards expanded in state order, guards as ``event [guard]``),
    and an arrow to ``[*]`` from every final state.
    """
    lines = ["stateDiagram-v2", f"    [*] --> {initial}"]
    lines += [f"    {s.name} : {_one_line(s.description)}" for s in states if s.description]
    for transition in transitions:
        for source in _sources(transition, states):
            lines.append(f"    {source} --> {transition.target}: {transition.label}")
    lines += [f"    {s.name} --> [*]" for s in states if s.final]
    return "\n".join(lines)


def mermaid_html(name: str, diagram: str) -> str:
    """Wrap a Mermaid diagram for notebooks and web pages (rendered where mermaid.js runs)."""
    return (
        f'<div class="ordercycle-lifecycle" title="lifecycle {html.escape(name)}">'
        f'<pre class="mermaid">{html.escape(diagram)}</pre></div>'
    )


def describe_table(
    name: str, states: Sequence[State], transitions: Sequence[Transition], initial: str
) -> str:
    """A plain-text summary: the states, then one row per transition."""
    finals = ", ".join(s.name for s in states if s.final) or "none"
    lines = [f"Lifecycle {name!r}: initial {initial}; final {finals}", "", "States:"]
    width = max((len(s.name) for s in states), default=0)
    for state in states:
        marks = [m for m, on in (("initial", state.name == initial), ("final", state.final)) if on]
        note = f"({', '.join(marks)})" if marks else ""
        text = " ".join(part for part in (_one_line(state.description), note) if part)
        lines.append(f"  {state.name:<{width}}  {text}".rstrip())
    rows = [("event", "from", "to", "guard")]
    for t in transitions:
        source = "any" if t.is_wildcard else ", ".join(t.source)
        rows.append((t.event, source, t.target, t.guard.name if t.guard else "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines += ["", "Transitions:"]
    for row in rows:
        lines.append(
            ("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))).rstrip()
        )
    return "\n".join(lines)


def definition_to_dict(
    name: str, states: Sequence[State], transitions: Sequence[Transition], initial: str
) -> dict[str, Any]:
    """A definition as plain data (JSON- and YAML-friendly); guards appear by name."""
    return {
        "name": name,
        "initial": initial,
        "states": [
            {"name": s.name, "description": s.description, "final": s.final} for s in states
        ],
        "transitions": [
            {
                "event": t.event,
                "source": t.source[0] if len(t.source) == 1 else list(t.source),
                "target": t.target,
                "guard": t.guard.name if t.guard else None,
                "description": t.description,
            }
            for t in transitions
        ],
    }


def _guard_table(guards: Mapping[str, Guard] | Iterable[Guard]) -> dict[str, Guard]:
    if isinstance(guards, Mapping):
        return dict(guards)
    return {guard.name: guard for guard in guards}


def definition_from_dict(
    data: object, guards: Mapping[str, Guard] | Iterable[Guard]
) -> tuple[str, tuple[State, ...], tuple[Transition, ...], str, list[str]]:
    """Read a definition written by :func:`definition_to_dict`.

    Returns:
        ``(name, states, transitions, initial, problems)``; *problems* lists shape errors
        (missing keys, wrong types, unknown guard names) as ``message @ $.path``.
    """
    problems: list[str] = []
    known_guards = _guard_table(guards)
    if not isinstance(data, Mapping):
        return "", (), (), "", [f"expected a mapping, got {type(data).__name__} @ $"]
    name = _text(data, "name", "$", problems, required=True)
    initial = _text(data, "initial", "$", problems, required=True)
    states: list[State] = []
    for i, entry in enumerate(_items(data, "states", "$", problems)):
        path = f"$.states[{i}]"
        if isinstance(entry, str):
            states.append(State(entry))
        elif isinstance(entry, Mapping):
            final = entry.get("final", False)
            if not isinstance(final, bool):
                problems.append(f"expected true or false, got {final!r} @ {path}.final")
            states.append(
                State(
                    _text(entry, "name", path, problems, required=True),
                    _text(entry, "description", path, problems),
                    final is True,
                )
            )
        else:
            problems.append(f"expected a state name or mapping @ {path}")
    transitions: list[Transition] = []
    for i, entry in enumerate(_items(data, "transitions", "$", problems)):
        path = f"$.transitions[{i}]"
        if not isinstance(entry, Mapping):
            problems.append(f"expected a mapping @ {path}")
            continue
        source = entry.get("source")
        if isinstance(source, str) or (
            isinstance(source, list) and all(isinstance(s, str) for s in source)
        ):
            sources: str | list[str] = source
        else:
            problems.append(f"expected a state name or a list of them @ {path}.source")
            sources = []
        guard_name = entry.get("guard")
        guard = None
        if guard_name is not None:
            guard = known_guards.get(guard_name) if isinstance(guard_name, str) else None
            if guard is None:
                offered = ", ".join(sorted(known_guards)) or "none were given"
                problems.append(
                    f"unknown guard {guard_name!r} (guards given: {offered}) @ {path}.guard"
                )
        transitions.append(
            Transition(
                _text(entry, "event", path, problems, required=True),
                sources,
                _text(entry, "target", path, problems, required=True),
                guard=guard,
                description=_text(entry, "description", path, problems),
            )
        )
    return name, tuple(states), tuple(transitions), initial, problems


def _text(
    data: Mapping[str, Any], key: str, path: str, problems: list[str], *, required: bool = False
) -> str:
    value = data.get(key, None if required else "")
    if isinstance(value, str):
        return value
    what = "missing" if value is None else f"got {value!r}"
    problems.append(f"expected a string, {what} @ {path}.{key}")
    return ""


def _items(data: Mapping[str, Any], key: str, path: str, problems: list[str]) -> list[Any]:
    value = data.get(key)
    if isinstance(value, list | tuple):
        return list(value)
    what = "missing" if value is None else f"got {type(value).__name__}"
    problems.append(f"expected a list, {what} @ {path}.{key}")
    return []
