import { describe, expect, it } from 'vitest';
import { generateSyntheticCatalog } from '../../src/data/synthetic';
import { ConfigError } from '../../src/errors';
import { ContentKnnBaseline } from '../../src/evaluate/baselines/content-knn';
import { evaluateNewMovies } from '../../src/evaluate/new-movies';
import { makeDataset, newLog, type Row, spyScorer } from './helpers';

describe('ContentKnnBaseline', () => {
  // Movies 1–4: Drama, Comedy, Drama, Comedy (one genre column each; year constant).
  const data = makeDataset(
    [
      [1, 1, 5, 1],
      [1, 2, 1, 2],
      [2, 3, 4, 1],
    ],
    { movieCount: 4 },
  );
  const features = {
    genres: true,
    year: false,
    popularity: false,
    recency: false,
    people: false,
    text: false,
  };

  it('scores the cosine of each candidate with the rating-centred profile', async () => {
    const knn = new ContentKnnBaseline({ features });
    await knn.fit(data);
    // History: Drama rated 5, Comedy rated 1 → mean 3, weights +2 / −2 → profile ∝ Drama − Comedy.
    const [scores] = await knn.score(
      [
        {
          items: [
            { movieId: 1, rating: 5 },
            { movieId: 2, rating: 1 },
          ],
        },
      ],
      [3, 4, 99],
    );
    expect(scores![0]).toBeCloseTo(Math.SQRT1_2, 5); // Drama · (D − C)/√2
    expect(scores![1]).toBeCloseTo(-Math.SQRT1_2, 5);
    expect(scores![2]).toBe(Number.NEGATIVE_INFINITY); // no content
    knn.dispose();
  });

  it('without usable ratings every history movie counts 1', async () => {
    const knn = new ContentKnnBaseline({ features });
    await knn.fit(data);
    const [scores] = await knn.score([{ items: [{ movieId: 1 }, { movieId: 3 }] }], [3, 4]);
    expect(scores![0]).toBeCloseTo(1, 5);
    expect(scores![1]).toBeCloseTo(0, 5);
    knn.dispose();
  });
});

describe('evaluateNewMovies', () => {
  // 6 users; movies 1–4 rated by everyone, so all are eligible at minRatings 6.
  const rows: Row[] = [];
  for (let u = 1; u <= 6; u++) for (let m = 1; m <= 4; m++) rows.push([u, m, 1 + ((u + m) % 5), u * 10 + m]);
  const data = makeDataset(rows, { movieCount: 4 });

  it('holds out every rating of the sampled movies, scores them for their raters, and reports chance', async () => {
    const log = newLog();
    const result = await evaluateNewMovies(
      data,
      [{ name: 'spy', kind: 'model', create: () => spyScorer(log, (movieId) => -movieId) }],
      { share: 0.5, minRatings: 6, k: 1, seed: 3 },
    );
    expect(result.movies).toHaveLength(2);
    expect(result.ratingsRemoved).toBe(12);
    expect(result.users).toBe(6);
    // Trained without a single rating of a held-out movie.
    const trained = log.fits[0]!.train;
    expect(trained).toHaveLength(12);
    expect(trained.some((r) => result.movies.includes(r[1]))).toBe(false);
    // Everyone rated both held-out movies: top-1 of the 2 new ones finds one of 2 → recall 0.5, hit 1.
    expect(result.results[0]!.metrics).toMatchObject({ 'R@1 new': 0.5, 'HR@1 new': 1 });
    // Over the whole catalog (2 unseen movies, both relevant): the lower id ranks first and is relevant.
    expect(result.results[0]!.metrics['R@1 all']).toBe(0.5);
    // Chance: recall min(k, n)/n = 1/2; hit 1 − C(0, 1)/C(2, 1) = 1; catalog 1/2.
    expect(result.chance).toEqual({ 'R@1 new': 0.5, 'HR@1 new': 1, 'R@1 all': 0.5 });
    expect(log.disposed).toBe(1);
  });

  it('refuses bad options and data with no eligible movie', async () => {
    const spec = [{ name: 'spy', kind: 'model' as const, create: () => spyScorer(newLog(), () => 0) }];
    await expect(evaluateNewMovies(data, spec, { share: 1 })).rejects.toThrow(ConfigError);
    await expect(evaluateNewMovies(data, spec, { k: 0 })).rejects.toThrow(ConfigError);
    await expect(evaluateNewMovies(data, spec, { minRatings: 7 })).rejects.toThrow(/most rated has 6/);
  });

  it('content-kNN finds held-out movies above chance on a synthetic catalog with genre tastes', async () => {
    const synthetic = generateSyntheticCatalog({ seed: 5, users: 150, movies: 120 });
    const result = await evaluateNewMovies(
      synthetic,
      [
        {
          name: 'content-knn',
          kind: 'baseline',
          create: () => new ContentKnnBaseline({ features: { stem: false } }),
        },
      ],
      { share: 0.2, minRatings: 10, seed: 1 },
    );
    expect(result.users).toBeGreaterThan(20);
    expect(result.results[0]!.metrics['R@10 new']!).toBeGreaterThan(result.chance['R@10 new']!);
  });
});
