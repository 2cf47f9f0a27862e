import { InvalidArgumentError } from 'commander';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type DurationUnit = keyof typeof UNIT_MS;

/** What one duration flag accepts: the grammar is shared, the units and bounds are the flag's. */
interface DurationRule {
  /** Units that may follow the number. */
  units: readonly DurationUnit[];
  /** The unit of a bare number; without it a unit is required. */
  bare?: DurationUnit;
  /** Whether the number may have a fraction (`2.5s`). */
  fractions: boolean;
  /** Bounds in milliseconds, checked before rounding. */
  min: number;
  max: number;
  /** Said when the text is not such a duration: "must be a duration like <example>". */
  example: string;
  /** Said when it is below `min`; without it the `example` message is used. */
  tooShort?: string;
}

/** `<number><unit>` as `rule` allows it, in whole milliseconds; commander shows the error as a usage error. */
export function parseDuration(value: string, rule: DurationRule): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)([a-z]*)$/.exec(value);
  const unit = (m?.[2] || rule.bare) as DurationUnit | undefined;
  const number = m && (rule.fractions || !m[1]!.includes('.')) ? Number(m[1]) : NaN;
  const ms = unit && rule.units.includes(unit) ? number * UNIT_MS[unit] : NaN;
  const bad = `must be a duration like ${rule.example}`;
  if (!Number.isFinite(ms) || ms > rule.max) throw new InvalidArgumentError(bad);
  if (ms < rule.min) throw new InvalidArgumentError(rule.tooShort ?? bad);
  return Math.round(ms);
}

/** Server intervals (`--checkpoint-interval`, `--interval`): `1s`, `500ms`, `2.5s` or plain milliseconds, 10ms-1h. */
export const parseInterval = (value: string): number =>
  parseDuration(value, {
    units: ['ms', 's'],
    bare: 'ms',
    fractions: true,
    min: 10,
    max: 3_600_000,
    example: '1s or 500ms',
  });

/** `90s`, `30m`, `24h`, `7d`: how long signed TUF metadata stays valid (at least 10s). */
export const parseExpiry = (value: string): number =>
  parseDuration(value, {
    units: ['s', 'm', 'h', 'd'],
    fractions: false,
    min: 10_000,
    max: 999_999 * UNIT_MS.d,
    example: '24h or 7d',
    tooShort: 'must be at least 10s',
  });
