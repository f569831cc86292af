"""One weight's chain as rich text, in the seed's form (pure functions, no widgets).

The text of a ``WeightChain`` (``GraphModel.weight_chain``) reads, from the top:

- the weight: ∂L/∂W1[2,5], the units it joins, its value;
- the formula in symbols: ∂L/∂w₍ᵢⱼ₎ = ∂L/∂z₍ⱼ₎ · a₍ᵢ₎ for the last layer, the full product
  through the later layers summed over their units for an earlier one;
- the row shown: each path through the later layers as its factors with numbers, and
  their sum, the row's term;
- the batch: every row's term (the row shown highlighted) and their sum;
- the check: the sum against the engine's gradient and a central difference; for a single
  row, its term against a one-row pass (whose loss, a mean over one row, is ``rows`` times
  the row's share).
"""
from __future__ import annotations

from html import escape

from gui import theme
from gui.formatting import fmt_number

DIGITS = 6
EXACT = 12            # the totals that must agree, to the digits float64 gives
MAX_PATHS = 12        # paths of the row shown listed with their factors
MAX_ROWS = 40         # rows of the batch listed (the row shown always is)


def _n(x, digits: int = DIGITS) -> str:
    return fmt_number(float(x), digits)


def _factor(f) -> str:
    colour = theme.GRAD if f.role == "gradient" else theme.VALUE if f.role == "input" \
        else theme.TEXT
    return (f'<span style="color:{theme.MUTED}">{escape(f.text)}</span> '
            f'<span style="color:{colour}">{_n(f.value)}</span>')


def _mark(ok: bool) -> str:
    colour = theme.C.ok if ok else theme.ERROR
    return f'<span style="color:{colour}">{"✓" if ok else "✗"}</span>'


def chain_html(chain, input_name: str, unit_name: str, row: int | None, rows: int,
               one_row=None, replay_caption: str = "") -> str:
    """The panel's text for `chain` (see the module doc). `row`: the row shown (None: the
    batch's mean is shown; the paths listed are the chain's detail row's); `one_row`: the
    chain of a one-row pass of `row`, checked against the row's term."""
    w = f"{chain.weight}[{chain.index[0]},{chain.index[1]}]"
    parts = [f'<h3 style="margin:0">∂L/∂{escape(w)}</h3>',
             f'<p style="color:{theme.MUTED}; margin:2px 0 6px 0">the weight from '
             f'{escape(input_name)}[{chain.i}] to {escape(unit_name)}[{chain.j}] · layer '
             f'{chain.layer} · w = <span style="color:{theme.VALUE}">'
             f'{_n(chain.weight_value)}</span></p>']
    if replay_caption:
        parts.append(f'<p style="color:{theme.MUTED}">The numbers are the whole pass\'s '
                     f'(the player shows {escape(replay_caption)}).</p>')
    parts.append(f'<p style="margin:4px 0"><code>{escape(chain.formula)}</code></p>')
    detail = chain.detail_row
    if detail is not None:
        term = chain.rows[detail]
        shown = "the row shown" if row == detail else "one row for example; the batch's " \
            "sum is below"
        parts.append(f'<h4 style="margin:8px 0 2px 0">Row {detail} ({shown})</h4>')
        paths = term.paths
        if chain.path_count > 1:
            parts.append(f'<p style="color:{theme.MUTED}; margin:0">{chain.path_count} paths '
                         f'through the later layers; the {min(len(paths), MAX_PATHS)} largest:'
                         '</p>')
        lines = []
        for path in paths[:MAX_PATHS]:
            units = "" if not path.units else \
                f'<span style="color:{theme.MUTED}">via {",".join(map(str, path.units))}: </span>'
            lines.append(units + " · ".join(_factor(f) for f in path.factors)
                         + f' = <b>{_n(path.value)}</b>')
        if chain.path_count > min(len(paths), MAX_PATHS):
            lines.append(f'<span style="color:{theme.MUTED}">… and '
                         f'{chain.path_count - min(len(paths), MAX_PATHS)} more paths, '
                         'in the sum</span>')
        parts.append("<br>".join(lines))
        parts.append(f'<p style="margin:4px 0">row {detail}\'s term = '
                     + ("Σ over the paths = " if chain.path_count > 1 else "")
                     + f'<b style="color:{theme.GRAD}">{_n(term.value)}</b></p>')
    parts.append(_rows_table(chain, row))
    parts.append(_check_table(chain, row, rows, one_row))
    return "".join(parts)


def _rows_table(chain, row) -> str:
    terms = chain.rows
    listed = list(range(min(len(terms), MAX_ROWS)))
    if row is not None and row not in listed and row < len(terms):
        listed.append(row)
    head = (f'<h4 style="margin:8px 0 2px 0">Over the batch: Σ over its {len(terms)} '
            f'row{"s" if len(terms) != 1 else ""}</h4><table cellspacing="0" cellpadding="2">')
    cells = []
    for r in listed:
        style = f' style="background:{theme.SELECTED}"' if r == row else ""
        cells.append(f'<tr{style}><td style="color:{theme.MUTED}">row {r}</td>'
                     f'<td align="right" style="color:{theme.GRAD}">{_n(terms[r].value)}'
                     '</td></tr>')
    more = "" if len(listed) >= len(terms) else \
        f'<tr><td colspan="2" style="color:{theme.MUTED}">… {len(terms) - len(listed)} ' \
        'more rows, in the sum</td></tr>'
    return head + "".join(cells) + more + \
        f'<tr><td><b>Σ</b></td><td align="right"><b>{_n(chain.total, EXACT)}</b></td></tr>' \
        "</table>"


def _check_table(chain, row, rows, one_row) -> str:
    scale = max(1.0, abs(chain.engine))
    same = abs(chain.total - chain.engine) <= 1e-9 * scale
    lines = [("chain's sum", _n(chain.total, EXACT), ""),
             ("engine's ∂L/∂w", _n(chain.engine, EXACT), _mark(same))]
    if chain.numeric is not None:
        gap = abs(chain.numeric - chain.engine)
        lines.append(("central difference", _n(chain.numeric, 9),
                      f"{_mark(gap <= 1e-5 * scale)} |Δ| {_n(gap, 2)}"))
    if one_row is not None and row is not None:
        share = chain.rows[row].value
        ok = abs(one_row.engine - rows * share) <= 1e-9 * max(1.0, abs(one_row.engine))
        lines.append((f"row {row} alone", _n(one_row.engine, EXACT),
                      f"{_mark(ok)} = {rows} × its term"))
    cell = 'style="white-space:nowrap"'
    body = "".join(f'<tr><td {cell}><span style="color:{theme.MUTED}">{a}</span></td>'
                   f'<td align="right" {cell}>{b}</td><td {cell}>{c}</td></tr>'
                   for a, b, c in lines)
    note = "" if one_row is None or row is None else (
        f'<p style="color:{theme.MUTED}; margin:2px 0">"row {row} alone" is a one-row pass: '
        "its loss is a mean over one row, so its gradient is the batch's row count times "
        "that row's term.</p>")
    return ('<h4 style="margin:8px 0 2px 0">Check</h4>'
            f'<table cellspacing="0" cellpadding="2">{body}</table>{note}')
