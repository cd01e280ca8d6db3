/**
 * A text table in the style of Python's PrettyTable (0.7, which the original pins) with every
 * column left-aligned, as the original's `nodepool` prints them:
 *
 * ```
 * +------------+----------+
 * | ID         | Provider |
 * +------------+----------+
 * | 0000000567 | cloud-a  |
 * +------------+----------+
 * ```
 *
 * A cell with line breaks spans several lines; a table without rows still has its frame. No
 * trailing newline.
 */
export function renderPrettyTable(titles: readonly string[], rows: readonly (readonly string[])[]): string {
  const cellLines = rows.map((cells) => titles.map((_, column) => (cells[column] ?? '').split('\n')));
  const widths = titles.map((title, column) =>
    Math.max(width(title), ...cellLines.flatMap((cells) => cells[column]!.map(width))),
  );
  const rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const line = (cells: readonly string[]): string =>
    titles.length === 0 ? '||' : `|${cells.map((cell, column) => ` ${cell}${' '.repeat(widths[column]! - width(cell))} `).join('|')}|`;
  const lines = [titles.length === 0 ? '++' : rule, line(titles), titles.length === 0 ? '++' : rule];
  for (const cells of cellLines) {
    const height = Math.max(0, ...cells.map((cell) => cell.length));
    // A table without columns prints an empty line per row, as PrettyTable does.
    if (height === 0) lines.push('');
    for (let y = 0; y < height; y++) lines.push(line(cells.map((cell) => cell[y] ?? '')));
  }
  lines.push(titles.length === 0 ? '++' : rule);
  return lines.join('\n');
}

/** Width in characters (code points), as Python's `len`. */
function width(text: string): number {
  return [...text].length;
}
