import { COMMANDS, DESCRIPTION } from './commands.js';

/**
 * `signet --help` from the command manifest, laid out as commander 14 lays out the full program's help (same columns,
 * same wrapping at the terminal's width, 80 when not a terminal), so printing it needs neither commander nor any
 * command module. test/cli/help.test.ts compares the two at several widths.
 */
export function topLevelHelp(helpWidth = 80): string {
  const options: [string, string][] = [
    ['-V, --version', 'output the version number'],
    ['-h, --help', 'display help for command'],
  ];
  const commands: [string, string][] = Object.entries(COMMANDS).map(([name, [usage, summary]]) => [
    usage ? `${name} ${usage}` : name,
    summary,
  ]);
  commands.push(['help [command]', 'display help for command']);
  const termWidth = Math.max(...[...options, ...commands].map(([term]) => term.length));
  const item = ([term, description]: [string, string]) => formatItem(term, termWidth, description, helpWidth);
  return [
    'Usage: signet [options] [command]',
    '',
    boxWrap(DESCRIPTION, helpWidth),
    '',
    'Options:',
    ...options.map(item),
    '',
    'Commands:',
    ...commands.map(item),
    '',
  ].join('\n');
}

const MIN_WIDTH_TO_WRAP = 40; // commander's Help.minWidthToWrap

/** commander's Help.formatItem: the term padded, the description wrapped beside it when there is room. */
function formatItem(term: string, termWidth: number, description: string, helpWidth: number): string {
  const remainingWidth = helpWidth - termWidth - 2 - 2;
  const wrapped =
    remainingWidth < MIN_WIDTH_TO_WRAP
      ? description
      : boxWrap(description, remainingWidth).replace(/\n/g, '\n' + ' '.repeat(termWidth + 2));
  return '  ' + term.padEnd(termWidth) + '  ' + wrapped.replace(/\n/g, '\n  ');
}

/** commander's Help.boxWrap: wrap at whitespace to `width` columns (one-line texts, as the manifest's are). */
function boxWrap(text: string, width: number): string {
  if (width < MIN_WIDTH_TO_WRAP) return text;
  const chunks = text.match(/\s*\S+/g) ?? [];
  const lines: string[] = [];
  let line = chunks.shift() ?? '';
  for (const chunk of chunks) {
    if (line.length + chunk.length <= width) {
      line += chunk;
    } else {
      lines.push(line);
      line = chunk.trimStart();
    }
  }
  lines.push(line);
  return lines.join('\n');
}
