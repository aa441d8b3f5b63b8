/**
 * Popularity baselines: global popularity, and popularity within a demographic segment (for cold start).
 *
 * @module
 */

import { MovieIndex } from '../../data/catalog';
import type { Dataset, User } from '../../data/types';
import { ageBand } from '../../profile/demographics';
import type { FitSummary, Scorer, UserHistory } from '../../recommend/types';
import { baselineSummary, checkNumber, requireFitted } from './common';

interface PopularityState {
  movies: MovieIndex;
  counts: Float64Array;
}

/**
 * Scores every movie by its number of training ratings, whoever the user is. Equal counts are ordered by lower
 * movie id first when the candidates are ascending ids (the top-K tie rule). Movies unknown at fit time score
 * `-Infinity`. The history is not used (popularity does not depend on it; the protocols exclude seen movies).
 *
 * @example
 * ```ts
 * import { PopularityBaseline } from 'reelrec';
 * declare const train: import('reelrec').Dataset;
 * const pop = new PopularityBaseline();
 * await pop.fit(train);
 * const [scores] = await pop.score([{ items: [] }], [1, 2, 3]);
 * pop.dispose();
 * ```
 */
export class PopularityBaseline implements Scorer {
  readonly name: string = 'popularity';
  readonly kind = 'baseline' as const;
  private state: PopularityState | null = null;

  /** Counts the training ratings of each movie. */
  async fit(train: Dataset): Promise<FitSummary> {
    const start = performance.now();
    const movies = MovieIndex.fromDataset(train);
    this.state = { movies, counts: countRatings(train, movies) };
    return baselineSummary(start, []);
  }

  /** Each movie's training rating count, the same for every history. */
  async score(histories: readonly UserHistory[], candidates: readonly number[]): Promise<Float32Array[]> {
    const { movies, counts } = requireFitted(this.state, this.name);
    const row = new Float32Array(candidates.length);
    for (let c = 0; c < candidates.length; c++) {
      const idx = movies.indexOf(candidates[c]!);
      row[c] = idx < 0 ? Number.NEGATIVE_INFINITY : counts[idx]!;
    }
    return histories.map(() => row.slice());
  }

  /** Drops the counts. */
  dispose(): void {
    this.state = null;
  }
}

/** Options of {@link SegmentPopularityBaseline}. */
export interface SegmentPopularityOptions {
  /**
   * A segment with fewer training users than this falls back to global popularity. Default 5.
   */
  minSegmentUsers?: number;
}

interface SegmentState extends PopularityState {
  tieBreak: Float64Array;
  segments: Map<string, { users: number; counts: Float64Array }>;
  users: Map<number, User>;
}

/**
 * Popularity within the user's demographic segment, age band × gender (the MovieLens-1M bands of `ageBand`).
 * Score = the number of training ratings of the movie by users of the segment, plus a tie-breaker in (0, 1):
 * the dense rank of the movie's global count among the distinct global counts, divided by their number + 1.
 * Segment counts decide, global popularity orders their ties, and equal global counts fall to the top-K rule
 * (lower movie id first). Scores are float32: the tie-breaker stays exact while (largest segment count + 1) ×
 * (distinct global counts + 1) < 2^24, which holds for MovieLens 100K and 1M. The user's demographics come
 * from `history.user`, or, for a known `userId`, from the training data set's users. When the segment is
 * unknown (no age or gender) or has fewer than `minSegmentUsers` training users, the score is
 * global popularity. Movies unknown at fit time score `-Infinity`.
 *
 * @example
 * ```ts
 * import { SegmentPopularityBaseline } from 'reelrec';
 * declare const train: import('reelrec').Dataset;
 * const seg = new SegmentPopularityBaseline({ minSegmentUsers: 5 });
 * await seg.fit(train);
 * const [scores] = await seg.score([{ items: [], user: { age: 24, gender: 'F' } }], [1, 2, 3]);
 * seg.dispose();
 * ```
 */
export class SegmentPopularityBaseline implements Scorer {
  readonly name: string = 'segment-popularity';
  readonly kind = 'baseline' as const;
  private readonly minSegmentUsers: number;
  private state: SegmentState | null = null;

  constructor(options: SegmentPopularityOptions = {}) {
    this.minSegmentUsers = checkNumber('minSegmentUsers', options.minSegmentUsers ?? 5, {
      integer: true,
      min: 1,
    });
  }

  /** Counts ratings per movie, globally and per segment of the rating users. */
  async fit(train: Dataset): Promise<FitSummary> {
    const start = performance.now();
    const movies = MovieIndex.fromDataset(train);
    const users = new Map<number, User>();
    for (const u of train.users) users.set(u.id, u);
    const segments = new Map<string, { users: number; counts: Float64Array; seen: Set<number> }>();
    const { userIds, movieIds } = train.ratings;
    for (let i = 0; i < train.ratings.length; i++) {
      const u = users.get(userIds[i]!);
      const key = u ? segmentKey(u) : null;
      if (key === null) continue;
      let seg = segments.get(key);
      if (!seg) {
        seg = { users: 0, counts: new Float64Array(movies.size), seen: new Set() };
        segments.set(key, seg);
      }
      if (!seg.seen.has(userIds[i]!)) {
        seg.seen.add(userIds[i]!);
        seg.users++;
      }
      seg.counts[movies.indexOf(movieIds[i]!)]!++;
    }
    const final = new Map<string, { users: number; counts: Float64Array }>();
    for (const [k, s] of segments) final.set(k, { users: s.users, counts: s.counts });
    this.state = {
      movies,
      counts: countRatings(train, movies),
      tieBreak: new Float64Array(0),
      segments: final,
      users,
    };
    this.state.tieBreak = denseRankShare(this.state.counts);
    return baselineSummary(start, []);
  }

  /** Segment popularity of each candidate for each history (see the class notes). */
  async score(histories: readonly UserHistory[], candidates: readonly number[]): Promise<Float32Array[]> {
    const state = requireFitted(this.state, this.name);
    const { movies, counts, segments, tieBreak } = state;
    const idx = candidates.map((id) => movies.indexOf(id));
    return histories.map((h) => {
      const demo = h.user ?? (h.userId !== undefined ? state.users.get(h.userId) : undefined);
      const key = demo ? segmentKey(demo) : null;
      const seg = key === null ? undefined : segments.get(key);
      const useSeg = seg !== undefined && seg.users >= this.minSegmentUsers;
      const row = new Float32Array(candidates.length);
      for (let c = 0; c < idx.length; c++) {
        const i = idx[c]!;
        if (i < 0) row[c] = Number.NEGATIVE_INFINITY;
        else row[c] = useSeg ? seg.counts[i]! + tieBreak[i]! : counts[i]!;
      }
      return row;
    });
  }

  /** Drops the counts. */
  dispose(): void {
    this.state = null;
  }
}

function segmentKey(user: Partial<Omit<User, 'id'>>): string | null {
  const band = ageBand(user.age);
  const gender = user.gender;
  if (band === null || gender === null || gender === undefined || gender === '') return null;
  return `${band}|${gender}`;
}

/** Dense rank (1 = least popular) of each count among the distinct counts, divided by their number + 1. */
function denseRankShare(counts: Float64Array): Float64Array {
  const distinct = [...new Set(counts)].sort((a, b) => a - b);
  const rank = new Map<number, number>();
  for (let i = 0; i < distinct.length; i++) rank.set(distinct[i]!, i + 1);
  const out = new Float64Array(counts.length);
  for (let i = 0; i < counts.length; i++) out[i] = rank.get(counts[i]!)! / (distinct.length + 1);
  return out;
}

function countRatings(train: Dataset, movies: MovieIndex): Float64Array {
  const counts = new Float64Array(movies.size);
  const ids = train.ratings.movieIds;
  for (let i = 0; i < ids.length; i++) counts[movies.indexOf(ids[i]!)]!++;
  return counts;
}
