/**
 * Fixtures for the evaluate tests: tiny in-memory data sets and a spy scorer.
 */
import { type Dataset, type Movie, RatingTable, type User } from '../../src/data/types';
import type { FitOptions, FitSummary, Scorer, UserHistory } from '../../src/recommend/types';

/** [userId, movieId, rating, timestamp] */
export type Row = [number, number, number, number];

export function table(rows: readonly Row[]): RatingTable {
  return RatingTable.from(
    rows.map(([userId, movieId, rating, timestamp]) => ({ userId, movieId, rating, timestamp })),
  );
}

export function rowsOf(t: RatingTable): Row[] {
  return t.toArray().map((r) => [r.userId, r.movieId, r.rating, r.timestamp]);
}

export function makeDataset(
  rows: readonly Row[],
  options: { movies?: Movie[]; users?: User[]; movieCount?: number } = {},
): Dataset {
  const movieIds = new Set(rows.map((r) => r[1]));
  const count = options.movieCount ?? Math.max(0, ...movieIds);
  const movies =
    options.movies ??
    Array.from({ length: count }, (_, i) => ({
      id: i + 1,
      title: `Movie ${i + 1}`,
      year: 1990,
      genres: [i % 2 === 0 ? 'Drama' : 'Comedy'],
    }));
  const userIds = [...new Set(rows.map((r) => r[0]))].sort((a, b) => a - b);
  const users =
    options.users ??
    userIds.map((id) => ({
      id,
      age: 20 + id,
      gender: id % 2 === 0 ? 'F' : 'M',
      occupation: 'student',
      zip: '00000',
    }));
  return {
    name: 'tiny',
    format: 'custom',
    ratings: table(rows),
    movies,
    users,
    genres: ['Comedy', 'Drama'],
    ratingScale: { min: 1, max: 5, step: 1 },
    report: { source: 'test', format: 'custom', mode: 'strict', files: [], issues: [], issuesOmitted: 0 },
  };
}

export interface SpyLog {
  created: number;
  disposed: number;
  fits: Array<{ train: Row[]; validation: Row[] | undefined; options: FitOptions }>;
  scored: Array<{ histories: UserHistory[]; candidates: number[] }>;
  predicted: Array<{ histories: UserHistory[]; movieIds: number[][] }>;
}

export function newLog(): SpyLog {
  return { created: 0, disposed: 0, fits: [], scored: [], predicted: [] };
}

/**
 * A scorer that records what it is given. `scoreOf(movieId, history)` gives ranking scores; `ratingOf`, when
 * present, makes it a rating predictor.
 */
export function spyScorer(
  log: SpyLog,
  scoreOf: (movieId: number, history: UserHistory) => number,
  ratingOf?: (movieId: number, history: UserHistory) => number,
): Scorer {
  log.created++;
  const scorer: Scorer = {
    name: 'spy',
    kind: 'model',
    async fit(train: Dataset, options: FitOptions = {}): Promise<FitSummary> {
      log.fits.push({
        train: rowsOf(train.ratings),
        validation: options.validation ? rowsOf(options.validation) : undefined,
        options,
      });
      return { epochs: 0, bestEpoch: 0, history: [], aborted: false, seconds: 0 };
    },
    async score(histories, candidates) {
      log.scored.push({ histories: [...histories], candidates: [...candidates] });
      return histories.map((h) => Float32Array.from(candidates, (c) => scoreOf(c, h)));
    },
    dispose() {
      log.disposed++;
    },
  };
  if (ratingOf) {
    scorer.predictRatings = async (histories, movieIds) => {
      log.predicted.push({ histories: [...histories], movieIds: movieIds.map((m) => [...m]) });
      return histories.map((h, i) => movieIds[i]!.map((m) => ratingOf(m, h)));
    };
  }
  return scorer;
}
