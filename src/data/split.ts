/**
 * Splitters for the evaluation protocols of `PROTOCOL.md` (R, C, T, S, K). Every split keeps rows in their
 * original (file) order inside each part, so a later stable time sort still breaks ties by file order.
 *
 * @module
 */
import { ConfigError } from '../errors';
import { Rng } from '../util/random';
import type { RatingTable } from './types';

/** A split of a rating table into parts. `validation` is present when the splitter was asked for one. */
export interface TrainTestSplit {
  /** Rows to train on. */
  train: RatingTable;
  /** Rows held out for testing. */
  test: RatingTable;
  /** Rows held out for validation (early stopping, tuning), when asked for. */
  validation?: RatingTable;
}

/**
 * Each user's rows in time order: a **stable** sort by timestamp, so ratings with equal timestamps keep their
 * file order (76% of ML-100k ratings share a timestamp with another of the same user). Users appear in the
 * order of their first row.
 *
 * @example
 * ```ts
 * import { RatingTable, userTimelines } from 'reelrec';
 * const t = RatingTable.from([
 *   { userId: 1, movieId: 5, rating: 3, timestamp: 20 },
 *   { userId: 1, movieId: 6, rating: 4, timestamp: 10 },
 * ]);
 * const rows = userTimelines(t).get(1)!; // Int32Array [1, 0]
 * ```
 */
export function userTimelines(table: RatingTable): Map<number, Int32Array> {
  const byUser = new Map<number, number[]>();
  const { userIds, timestamps } = table;
  for (let i = 0; i < table.length; i++) {
    const u = userIds[i]!;
    let rows = byUser.get(u);
    if (!rows) {
      rows = [];
      byUser.set(u, rows);
    }
    rows.push(i);
  }
  const out = new Map<number, Int32Array>();
  for (const [u, rows] of byUser) {
    // Array.prototype.sort is stable (ES2019); rows start in file order, so ties keep file order.
    rows.sort((a, b) => timestamps[a]! - timestamps[b]!);
    out.set(u, Int32Array.from(rows));
  }
  return out;
}

/**
 * Protocol S: per user, in stable time order, the last rating is the test item, the second to last the
 * validation item (when `validation` is true) and the rest train. A user with one rating only trains; with two
 * (and validation on), the earlier trains and the later tests.
 *
 * @example
 * ```ts
 * import { leaveOneOutSplit, loadMovieLens } from 'reelrec';
 * const data = await loadMovieLens('./ml-100k');
 * const { train, validation, test } = leaveOneOutSplit(data.ratings);
 * console.log(test.length); // one per user
 * ```
 */
export function leaveOneOutSplit(
  table: RatingTable,
  options: {
    /** Hold out each user's second-to-last rating for validation (default `true`). */
    validation?: boolean;
  } = {},
): TrainTestSplit & {
  /** Each user's second-to-last rating (empty when `validation` is false). */
  validation: RatingTable;
} {
  const withValidation = options.validation ?? true;
  const part = new Uint8Array(table.length); // 0 train, 1 validation, 2 test
  for (const rows of userTimelines(table).values()) {
    const n = rows.length;
    if (n < 2) continue;
    part[rows[n - 1]!] = 2;
    if (withValidation && n >= 3) part[rows[n - 2]!] = 1;
  }
  return {
    train: selectPart(table, part, 0),
    validation: selectPart(table, part, 1),
    test: selectPart(table, part, 2),
  };
}

/**
 * Per user, the first `trainRatio` of their ratings in stable time order train, the rest test (at least one
 * rating trains and, for users with two or more, at least one tests).
 *
 * @example
 * ```ts
 * import { RatingTable, temporalRatioSplit } from 'reelrec';
 * declare const ratings: RatingTable;
 * const { train, test } = temporalRatioSplit(ratings, { trainRatio: 0.8 });
 * ```
 */
export function temporalRatioSplit(
  table: RatingTable,
  options: { trainRatio?: number } = {},
): TrainTestSplit {
  const ratio = checkRatio('trainRatio', options.trainRatio ?? 0.8);
  const part = new Uint8Array(table.length);
  for (const rows of userTimelines(table).values()) {
    const n = rows.length;
    const nTrain = clampTrainCount(Math.floor(ratio * n), n);
    for (let k = nTrain; k < n; k++) part[rows[k]!] = 2;
  }
  return { train: selectPart(table, part, 0), test: selectPart(table, part, 2) };
}

/**
 * Protocol T: per user, a seeded random `trainRatio` (default 75%) of their ratings train and the rest test
 * (stratified by user: `round(trainRatio × n)` train rows per user, at least one, and at least one test row for
 * users with two or more ratings).
 *
 * @example
 * ```ts
 * import { RatingTable, stratifiedRandomSplit } from 'reelrec';
 * declare const ratings: RatingTable;
 * const { train, test } = stratifiedRandomSplit(ratings, { trainRatio: 0.75, seed: 42 });
 * ```
 */
export function stratifiedRandomSplit(
  table: RatingTable,
  options: { trainRatio?: number; seed?: number } = {},
): TrainTestSplit {
  const ratio = checkRatio('trainRatio', options.trainRatio ?? 0.75);
  const rng = new Rng(options.seed ?? 42);
  const part = new Uint8Array(table.length);
  // Users in ascending id order so the draw does not depend on file order of users.
  const timelines = userTimelines(table);
  const users = [...timelines.keys()].sort((a, b) => a - b);
  for (const u of users) {
    const rows = Array.from(timelines.get(u)!).sort((a, b) => a - b);
    rng.shuffle(rows);
    const n = rows.length;
    const nTrain = clampTrainCount(Math.round(ratio * n), n);
    for (let k = nTrain; k < n; k++) part[rows[k]!] = 2;
  }
  return { train: selectPart(table, part, 0), test: selectPart(table, part, 2) };
}

/** The result of {@link userHoldoutSplit}. */
export interface UserHoldoutSplit {
  /** All ratings of the users who were not held out. */
  train: RatingTable;
  /** All ratings of the held-out users. */
  heldOut: RatingTable;
  /** Ids of the held-out users, ascending. */
  heldOutUsers: number[];
}

/**
 * Protocol K: a seeded random `fraction` (default 20%) of users is held out whole.
 *
 * @example
 * ```ts
 * import { RatingTable, userHoldoutSplit } from 'reelrec';
 * declare const ratings: RatingTable;
 * const { train, heldOut, heldOutUsers } = userHoldoutSplit(ratings, { fraction: 0.2, seed: 42 });
 * ```
 */
export function userHoldoutSplit(
  table: RatingTable,
  options: { fraction?: number; seed?: number } = {},
): UserHoldoutSplit {
  const fraction = checkRatio('fraction', options.fraction ?? 0.2);
  const users = [...new Set(table.userIds)].sort((a, b) => a - b);
  const shuffled = new Rng(options.seed ?? 42).shuffle([...users]);
  const held = new Set(shuffled.slice(0, Math.round(fraction * users.length)));
  const part = new Uint8Array(table.length);
  for (let i = 0; i < table.length; i++) if (held.has(table.userIds[i]!)) part[i] = 2;
  return {
    train: selectPart(table, part, 0),
    heldOut: selectPart(table, part, 2),
    heldOutUsers: [...held].sort((a, b) => a - b),
  };
}

function selectPart(table: RatingTable, part: Uint8Array, which: number): RatingTable {
  const rows: number[] = [];
  for (let i = 0; i < part.length; i++) if (part[i] === which) rows.push(i);
  return table.select(rows);
}

function clampTrainCount(nTrain: number, n: number): number {
  if (n <= 1) return n;
  return Math.min(n - 1, Math.max(1, nTrain));
}

function checkRatio(name: string, value: number): number {
  if (!(value > 0 && value < 1)) throw new ConfigError(name, 'a number strictly between 0 and 1', value);
  return value;
}
