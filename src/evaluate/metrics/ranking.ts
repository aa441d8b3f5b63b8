/**
 * Ranking metrics at a cutoff K, with binary relevance.
 *
 * Conventions shared by every function here:
 * - `ranked` is a list of ids, best first; only its first `k` entries count. A list shorter than `k` is scored
 *   as if padded with misses (precision still divides by `k`).
 * - `relevant` is an array or a `Set` of ids; its order never matters and repeated ids count once.
 * - **Empty relevant set:** every metric returns `0` (never `NaN`). The protocols skip users with no relevant
 *   item, so this case only arises for direct callers.
 * - **Duplicates in `ranked`:** a {@link ConfigError} is thrown. A ranking that names a movie twice is a bug
 *   upstream, and deduplicating it silently would hide the bug and shift every later position.
 * - `k` must be a positive integer ({@link ConfigError} otherwise).
 *
 * @module
 */
import { ConfigError } from '../../errors';

/** Ids as an array or a set. */
export type IdCollection = ArrayLike<number> | ReadonlySet<number>;

/** Every ranking metric at one cutoff, as computed by {@link metrics | metrics.rankingMetricsAtK}. */
export interface RankingMetrics {
  /** Hits in the top K divided by K. */
  precision: number;
  /** Hits in the top K divided by the number of relevant ids. */
  recall: number;
  /** Harmonic mean of precision and recall (0 when both are 0). */
  f1: number;
  /** DCG over the top K (gain 1 per hit, discount log2(rank + 1)) divided by the ideal DCG over min(K, |relevant|). */
  ndcg: number;
  /** Sum of the precision at each hit's rank, divided by min(K, |relevant|). */
  map: number;
  /** The same sum divided by |relevant|. */
  mapRel: number;
  /** 1 when any of the top K is relevant, else 0. */
  hitRate: number;
  /** 1 / rank of the first hit within the top K, else 0. */
  mrr: number;
}

/**
 * All ranking metrics of one ranked list in one pass (what the protocols use). See the module notes for the
 * conventions on empty relevant sets, short lists and duplicates.
 *
 * @param ranked ids, best first.
 * @param relevant the relevant ids.
 * @param k the cutoff, a positive integer.
 *
 * @example
 * ```ts
 * import { rankingMetricsAtK } from 'reelrec';
 * const m = rankingMetricsAtK([5, 3, 9], [3, 4], 2);
 * console.log(m.precision, m.recall, m.mrr); // 0.5 0.5 0.5
 * ```
 */
export function rankingMetricsAtK(
  ranked: ArrayLike<number>,
  relevant: IdCollection,
  k: number,
): RankingMetrics {
  checkK(k);
  checkNoDuplicates(ranked);
  const rel = toSet(relevant);
  const nRel = rel.size;
  if (nRel === 0) {
    return { precision: 0, recall: 0, f1: 0, ndcg: 0, map: 0, mapRel: 0, hitRate: 0, mrr: 0 };
  }
  const cut = Math.min(k, ranked.length);
  let hits = 0;
  let dcg = 0;
  let apSum = 0;
  let firstHit = 0;
  for (let i = 0; i < cut; i++) {
    if (!rel.has(ranked[i]!)) continue;
    hits++;
    dcg += 1 / Math.log2(i + 2);
    apSum += hits / (i + 1);
    if (firstHit === 0) firstHit = i + 1;
  }
  const ideal = Math.min(k, nRel);
  let idcg = 0;
  for (let i = 0; i < ideal; i++) idcg += 1 / Math.log2(i + 2);
  const precision = hits / k;
  const recall = hits / nRel;
  return {
    precision,
    recall,
    f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
    ndcg: dcg / idcg,
    map: apSum / ideal,
    mapRel: apSum / nRel,
    hitRate: hits > 0 ? 1 : 0,
    mrr: firstHit > 0 ? 1 / firstHit : 0,
  };
}

/**
 * Precision@K: hits among the first `k` ids divided by `k` (a list shorter than `k` still divides by `k`).
 *
 * @example
 * ```ts
 * import { metrics } from 'reelrec';
 * metrics.precisionAtK([1, 2, 3, 4], [2, 4, 7], 4); // 2 hits / 4 = 0.5
 * ```
 */
export function precisionAtK(ranked: ArrayLike<number>, relevant: IdCollection, k: number): number {
  return rankingMetricsAtK(ranked, relevant, k).precision;
}

/**
 * Recall@K: hits among the first `k` ids divided by the number of relevant ids.
 *
 * @example
 * ```ts
 * import { metrics } from 'reelrec';
 * metrics.recallAtK([1, 2, 3, 4], [2, 4, 7], 4); // 2 hits / 3 relevant ≈ 0.667
 * ```
 */
export function recallAtK(ranked: ArrayLike<number>, relevant: IdCollection, k: number): number {
  return rankingMetricsAtK(ranked, relevant, k).recall;
}

/**
 * F1@K: the harmonic mean of precision@K and recall@K, 0 when both are 0.
 *
 * @example
 * ```ts
 * import { metrics } from 'reelrec';
 * metrics.f1AtK([1, 2, 3, 4], [2, 4, 7], 4); // 2·0.5·(2/3) / (0.5 + 2/3) ≈ 0.571
 * ```
 */
export function f1AtK(ranked: ArrayLike<number>, relevant: IdCollection, k: number): number {
  return rankingMetricsAtK(ranked, relevant, k).f1;
}

/**
 * NDCG@K with binary relevance: DCG = Σ over hits at 1-based rank r ≤ K of 1 / log2(r + 1), divided by the
 * ideal DCG, Σ_{r=1}^{min(K, |relevant|)} 1 / log2(r + 1).
 *
 * @example
 * ```ts
 * import { metrics } from 'reelrec';
 * metrics.ndcgAtK([1, 2, 3], [2], 3); // (1/log2 3) / 1 ≈ 0.631
 * ```
 */
export function ndcgAtK(ranked: ArrayLike<number>, relevant: IdCollection, k: number): number {
  return rankingMetricsAtK(ranked, relevant, k).ndcg;
}

/**
 * MAP@K as `MAP@10` in the reports: the sum of precision@r at each hit's rank r ≤ K, divided by
 * min(K, |relevant|). Average it over users for the mean.
 *
 * @example
 * ```ts
 * import { metrics } from 'reelrec';
 * // hits at ranks 1 and 3: (1/1 + 2/3) / min(3, 4) ≈ 0.556
 * metrics.mapAtK([7, 8, 9], [7, 9, 10, 11], 3);
 * ```
 */
export function mapAtK(ranked: ArrayLike<number>, relevant: IdCollection, k: number): number {
  return rankingMetricsAtK(ranked, relevant, k).map;
}

/**
 * MAP@K as `MAPrel@10` in the reports (the definition behind Microsoft Recommenders' published figures): the
 * same sum as {@link mapAtK} divided by |relevant|.
 *
 * @example
 * ```ts
 * import { metrics } from 'reelrec';
 * // hits at ranks 1 and 3: (1/1 + 2/3) / 4 ≈ 0.417
 * metrics.mapRelAtK([7, 8, 9], [7, 9, 10, 11], 3);
 * ```
 */
export function mapRelAtK(ranked: ArrayLike<number>, relevant: IdCollection, k: number): number {
  return rankingMetricsAtK(ranked, relevant, k).mapRel;
}

/**
 * Hit rate@K: 1 when any of the first `k` ids is relevant, else 0.
 *
 * @example
 * ```ts
 * import { metrics } from 'reelrec';
 * metrics.hitRateAtK([4, 5, 6], [6], 3); // 1
 * metrics.hitRateAtK([4, 5, 6], [6], 2); // 0
 * ```
 */
export function hitRateAtK(ranked: ArrayLike<number>, relevant: IdCollection, k: number): number {
  return rankingMetricsAtK(ranked, relevant, k).hitRate;
}

/**
 * MRR@K: 1 / the 1-based rank of the first relevant id among the first `k`, else 0.
 *
 * @example
 * ```ts
 * import { metrics } from 'reelrec';
 * metrics.mrrAtK([4, 5, 6], [5, 6], 3); // 1/2
 * ```
 */
export function mrrAtK(ranked: ArrayLike<number>, relevant: IdCollection, k: number): number {
  return rankingMetricsAtK(ranked, relevant, k).mrr;
}

/**
 * Throws a {@link ConfigError} unless `k` is a positive integer.
 *
 * @internal
 * @example
 * ```ts
 * checkK(10); // ok
 * ```
 */
export function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new ConfigError('k', 'a positive integer', k);
}

/**
 * Throws a {@link ConfigError} naming the first id that appears twice in `ranked`.
 *
 * @internal
 * @example
 * ```ts
 * checkNoDuplicates([3, 1, 2]); // ok
 * ```
 */
export function checkNoDuplicates(ranked: ArrayLike<number>): void {
  const seen = new Set<number>();
  for (let i = 0; i < ranked.length; i++) {
    const id = ranked[i]!;
    if (seen.has(id)) {
      throw new ConfigError(
        'ranked',
        'distinct ids (a ranking names each movie once)',
        `id ${id} at rank ${i + 1} again`,
      );
    }
    seen.add(id);
  }
}

/**
 * The ids as a set (a set is returned as is).
 *
 * @internal
 * @example
 * ```ts
 * toSet([1, 2, 2]).size; // 2
 * ```
 */
export function toSet(ids: IdCollection): ReadonlySet<number> {
  if (typeof (ids as ReadonlySet<number>).has === 'function') return ids as ReadonlySet<number>;
  const arr = ids as ArrayLike<number>;
  const s = new Set<number>();
  for (let i = 0; i < arr.length; i++) s.add(arr[i]!);
  return s;
}
