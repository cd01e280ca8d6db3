/**
 * Splits a command line into words as Python's `shlex.split` does (POSIX mode): whitespace
 * separates words, single quotes keep everything literal, double quotes keep all but `\"`,
 * `\\`, `\$` and `` \` ``, and a backslash outside quotes escapes the next character. No
 * expansion of any kind happens. The original builder splits `dib-cmd` and its arguments so.
 *
 * @throws Error on an unclosed quote or a trailing backslash, as shlex does.
 */
export function shellSplit(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (char === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`no closing quotation in ${JSON.stringify(line)}`);
      word += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (char === '"') {
      inWord = true;
      for (i++; ; i++) {
        if (i >= line.length) throw new Error(`no closing quotation in ${JSON.stringify(line)}`);
        const inner = line[i]!;
        if (inner === '"') break;
        if (inner === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) {
          word += line[++i];
        } else {
          word += inner;
        }
      }
    } else if (char === '\\') {
      if (i + 1 >= line.length) throw new Error(`no escaped character in ${JSON.stringify(line)}`);
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}
