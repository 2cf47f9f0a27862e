/**
 * A one-line progress indicator on stderr for long transfers: shown only on a terminal, silent when piped.
 * Returns the callback to feed and a function that clears the line.
 */
export function transferProgress(label: string, stream: NodeJS.WriteStream = process.stderr) {
  if (!stream.isTTY) return { update: undefined, done: () => {} };
  let last = 0;
  const update = (done: number, total: number) => {
    const now = Date.now();
    if (now - last < 100 && done < total) return;
    last = now;
    const pct = total ? Math.floor((done / total) * 100) : 0;
    stream.write(`\r${label}: ${mib(done)} / ${mib(total)} MiB (${pct}%)`);
  };
  return { update, done: () => stream.write('\r\x1b[K') };
}

const mib = (n: number) => (n / 1048576).toFixed(1);
