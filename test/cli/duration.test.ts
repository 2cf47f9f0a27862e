import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseExpiry, parseInterval } from '../../src/cli/duration.js';

test('server intervals: ms or s, fractions, bare milliseconds, 10ms to 1h', () => {
  const cases: [string, number | RegExp][] = [
    ['1s', 1000],
    ['500ms', 500],
    ['2.5s', 2500],
    ['250', 250],
    ['10.4', 10],
    ['3600s', 3_600_000],
    ['9ms', /like 1s or 500ms/],
    ['3601s', /like 1s or 500ms/],
    ['1m', /like 1s or 500ms/],
    ['-1s', /like 1s or 500ms/],
    ['s', /like 1s or 500ms/],
    ['', /like 1s or 500ms/],
  ];
  for (const [text, want] of cases) {
    if (typeof want === 'number') assert.equal(parseInterval(text), want, text);
    else assert.throws(() => parseInterval(text), want, text);
  }
});

test('TUF expiries: whole s, m, h or d, at least 10s', () => {
  const cases: [string, number | RegExp][] = [
    ['10s', 10_000],
    ['30m', 1_800_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
    ['9s', /at least 10s/],
    ['1.5d', /like 24h or 7d/],
    ['7', /like 24h or 7d/],
    ['500ms', /like 24h or 7d/],
    ['7w', /like 24h or 7d/],
  ];
  for (const [text, want] of cases) {
    if (typeof want === 'number') assert.equal(parseExpiry(text), want, text);
    else assert.throws(() => parseExpiry(text), want, text);
  }
});
