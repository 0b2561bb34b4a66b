#!/usr/bin/env python3
"""Turns a `tmux capture-pane -e -p` dump (SGR colour escapes) into an SVG of the terminal.

Usage: ansi2svg.py COLS ROWS DEFAULT_FG DEFAULT_BG < capture > out.svg
Only what ratatui emits is handled: reset, bold, dim, italic, underline, reverse, 24-bit and 256 colours.
"""
import re
import sys
from html import escape

CELL_W, CELL_H, FONT = 8.43, 18, 14
SGR = re.compile(r"\x1b\[([0-9;]*)m")
BASIC = ["#000000", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd", "#e5e5e5",
         "#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff"]


def xterm256(n):
    if n < 16:
        return BASIC[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return "#%02x%02x%02x" % (v, v, v)


def parse(line, default_fg, default_bg):
    """Yields (char, fg, bg, bold, italic, underline) for each cell."""
    fg, bg, bold, italic, underline, reverse = None, None, False, False, False, False
    pos = 0
    for m in list(SGR.finditer(line)) + [None]:
        end = m.start() if m else len(line)
        for ch in line[pos:end]:
            f, b = fg or default_fg, bg or default_bg
            if reverse:
                f, b = b, f
            yield ch, f, b, bold, italic, underline
        if not m:
            break
        pos = m.end()
        codes = [int(c) if c else 0 for c in m.group(1).split(";")] if m.group(1) else [0]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == 0:
                fg, bg, bold, italic, underline, reverse = None, None, False, False, False, False
            elif c == 1:
                bold = True
            elif c == 3:
                italic = True
            elif c == 4:
                underline = True
            elif c == 7:
                reverse = True
            elif c == 22:
                bold = False
            elif c in (38, 48) and i + 1 < len(codes):
                if codes[i + 1] == 2 and i + 4 < len(codes):
                    colour = "#%02x%02x%02x" % tuple(codes[i + 2:i + 5])
                    i += 4
                elif codes[i + 1] == 5 and i + 2 < len(codes):
                    colour = xterm256(codes[i + 2])
                    i += 2
                else:
                    colour = None
                if c == 38:
                    fg = colour
                else:
                    bg = colour
                i += 1
            elif c == 39:
                fg = None
            elif c == 49:
                bg = None
            elif 30 <= c <= 37:
                fg = BASIC[c - 30]
            elif 40 <= c <= 47:
                bg = BASIC[c - 40]
            elif 90 <= c <= 97:
                fg = BASIC[c - 90 + 8]
            elif 100 <= c <= 107:
                bg = BASIC[c - 100 + 8]
            i += 1


def main():
    cols, rows, default_fg, default_bg = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    lines = sys.stdin.read().split("\n")[:rows]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{cols * CELL_W:.0f}" height="{rows * CELL_H}">',
        f'<rect width="100%" height="100%" fill="{default_bg}"/>',
        f'<g font-family="DejaVu Sans Mono, monospace" font-size="{FONT}">',
    ]
    for y, line in enumerate(lines):
        cells = list(parse(line, default_fg, default_bg))[:cols]
        x = 0
        while x < len(cells):
            _, fg, bg, bold, italic, underline = cells[x]
            start = x
            while x < len(cells) and cells[x][1:] == (fg, bg, bold, italic, underline):
                x += 1
            text = "".join(c[0] for c in cells[start:x])
            if bg != default_bg:
                out.append(f'<rect x="{start * CELL_W:.2f}" y="{y * CELL_H}" width="{(x - start) * CELL_W + 0.5:.2f}" '
                           f'height="{CELL_H}" fill="{bg}"/>')
            if text.strip():
                attrs = ' font-weight="bold"' if bold else ""
                attrs += ' font-style="italic"' if italic else ""
                attrs += ' text-decoration="underline"' if underline else ""
                out.append(f'<text x="{start * CELL_W:.2f}" y="{y * CELL_H + 13}" fill="{fg}" xml:space="preserve" '
                           f'textLength="{(x - start) * CELL_W:.2f}" lengthAdjust="spacingAndGlyphs"{attrs}>'
                           f'{escape(text)}</text>')
    out.append("</g></svg>")
    print("\n".join(out))


if __name__ == "__main__":
    main()
