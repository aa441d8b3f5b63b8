import { describe, expect, it } from 'vitest';
import { ML100K_GENRES, ML100K_OCCUPATIONS } from '../../src/data/format';
import { userTimelines } from '../../src/data/split';
import { generateSyntheticCatalog, type SyntheticDataset } from '../../src/data/synthetic';
import { ConfigError } from '../../src/errors';
import { Rng } from '../../src/util/random';

// The default data set (500 users × 60 ratings = 30,000 ratings, 693 movies), shared by the statistics below.
const demo = generateSyntheticCatalog();

function sequences(ds: SyntheticDataset): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const [u, rows] of userTimelines(ds.ratings))
    out.set(
      u,
      Array.from(rows, (r) => ds.ratings.movieIds[r]!),
    );
  return out;
}

/** ML-1M's age bands: under 18, 18–24, 25–34, 35–44, 45–49, 50–55, 56+. */
function ageBand(age: number): number {
  return age < 18 ? 0 : age < 25 ? 1 : age < 35 ? 2 : age < 45 ? 3 : age < 50 ? 4 : age < 56 ? 5 : 6;
}

function sameColumns(a: SyntheticDataset, b: SyntheticDataset): boolean {
  const eq = (x: ArrayBufferView, y: ArrayBufferView) =>
    Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(
      Buffer.from(y.buffer, y.byteOffset, y.byteLength),
    );
  return (
    eq(a.ratings.userIds, b.ratings.userIds) &&
    eq(a.ratings.movieIds, b.ratings.movieIds) &&
    eq(a.ratings.ratings, b.ratings.ratings) &&
    eq(a.ratings.timestamps, b.ratings.timestamps)
  );
}

describe('generateSyntheticCatalog: shape', () => {
  it('has the documented default sizes, scale, genres and report', () => {
    expect(demo.users.length).toBe(500);
    // movies: max(50, round(4·√30000) = 693, ceil(2·60) = 120) = 693
    expect(demo.movies.length).toBe(693);
    expect(demo.ratings.length).toBe(30_000);
    expect(demo.genres).toEqual([...ML100K_GENRES]);
    expect(demo.ratingScale).toEqual({ min: 1, max: 5, step: 1 });
    expect(demo.format).toBe('synthetic');
    expect(demo.report.format).toBe('synthetic');
    expect(demo.report.mode).toBe('strict');
    expect(demo.report.source).toBe('synthetic(seed=42)');
    expect(demo.report.issues).toEqual([]);
    expect(demo.report.issuesOmitted).toBe(0);
    const ratings = demo.report.files.find((f) => f.file === 'ratings')!;
    expect(ratings).toMatchObject({ lines: 30_000, accepted: 30_000, flagged: 0, skipped: 0, reasons: {} });
    expect(demo.report.files.map((f) => f.file)).toEqual(['ratings', 'movies', 'users', 'details', 'genres']);
    expect(demo.truth.latentDim).toBe(24);
    expect(demo.truth.userTaste.length).toBe(500 * 24);
    expect(demo.truth.movieLatent.length).toBe(693 * 24);
  });

  it('is deterministic, and different seeds differ', () => {
    const opts = { users: 40, ratingsPerUser: 30, seed: 3 };
    const a = generateSyntheticCatalog(opts);
    const b = generateSyntheticCatalog(opts);
    expect(sameColumns(a, b)).toBe(true);
    expect(b.movies).toEqual(a.movies);
    expect(b.users).toEqual(a.users);
    const c = generateSyntheticCatalog({ ...opts, seed: 4 });
    expect(c.ratings.length).toBe(a.ratings.length);
    expect(sameColumns(a, c)).toBe(false);
    expect(c.movies).not.toEqual(a.movies);
  });

  it('keeps ratings the same when content is turned off (independent streams)', () => {
    const opts = { users: 30, ratingsPerUser: 25, seed: 9 };
    const withContent = generateSyntheticCatalog(opts);
    const without = generateSyntheticCatalog({ ...opts, content: false });
    expect(sameColumns(withContent, without)).toBe(true);
    expect(without.movies.every((m) => m.plot === undefined && m.cast === undefined)).toBe(true);
    expect(without.report.files.map((f) => f.file)).not.toContain('details');
  });

  it('honours users, ratingsPerUser, interactions, movies and minRatingsPerUser', () => {
    const a = generateSyntheticCatalog({
      users: 25,
      ratingsPerUser: 32.5,
      movies: 120,
      minRatingsPerUser: 5,
    });
    expect(a.users.length).toBe(25);
    expect(a.movies.length).toBe(120);
    expect(a.ratings.length).toBe(813); // round(25 × 32.5) = round(812.5) = 813
    const counts = [...userTimelines(a.ratings).values()].map((r) => r.length);
    expect(counts.length).toBe(25);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...counts)).toBeLessThanOrEqual(60); // half the catalog

    // interactions alone: users = round(5000 / 60) = 83
    const b = generateSyntheticCatalog({ interactions: 5000, content: false });
    expect(b.ratings.length).toBe(5000);
    expect(b.users.length).toBe(83);
    // interactions and users: the mean follows
    const c = generateSyntheticCatalog({ interactions: 1234, users: 20, content: false });
    expect(c.ratings.length).toBe(1234);
    expect(c.users.length).toBe(20);
    // default minimum: min(20, floor(mean))
    const d = generateSyntheticCatalog({ users: 10, ratingsPerUser: 8, content: false });
    expect(Math.min(...[...userTimelines(d.ratings).values()].map((r) => r.length))).toBe(8);
  });

  it('uses contiguous ids and never repeats a (user, movie) pair', () => {
    const { userIds, movieIds } = demo.ratings;
    const pairs = new Set<number>();
    let outOfRange = 0;
    for (let i = 0; i < demo.ratings.length; i++) {
      pairs.add(userIds[i]! * 1_000_000 + movieIds[i]!);
      if (userIds[i]! < 1 || userIds[i]! > 500 || movieIds[i]! < 1 || movieIds[i]! > 693) outOfRange++;
    }
    expect(pairs.size).toBe(demo.ratings.length);
    expect(outOfRange).toBe(0);
    expect(new Set(userIds).size).toBe(500);
    expect(demo.users.map((u) => u.id)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(demo.movies.map((m) => m.id)).toEqual(Array.from({ length: 693 }, (_, i) => i + 1));
  });

  it('never repeats a movie for users who rate most of a small catalog (the Fenwick-tree path)', () => {
    // 40 movies, 20–30 ratings a user: every user rates more than half the popularity mass.
    const ds = generateSyntheticCatalog({
      users: 30,
      movies: 40,
      ratingsPerUser: 25,
      content: false,
      seed: 5,
    });
    expect(ds.ratings.length).toBe(750);
    for (const items of sequences(ds).values()) {
      expect(new Set(items).size).toBe(items.length);
      expect(items.length).toBeGreaterThanOrEqual(20);
      expect(items.length).toBeLessThanOrEqual(25); // the cap: max(mean 25, half of 40, minimum 20)
    }
  });

  it('has heavy-tailed per-user counts above the ML-100k minimum of 20', () => {
    const counts = [...userTimelines(demo.ratings).values()].map((r) => r.length).sort((a, b) => a - b);
    expect(counts[0]).toBeGreaterThanOrEqual(20);
    expect(counts[0]).toBeLessThanOrEqual(25);
    const median = counts[Math.floor(counts.length / 2)]!;
    expect(median).toBeLessThan(60); // mean 60 > median: right-skewed
    expect(counts[counts.length - 1]!).toBeGreaterThan(3 * median);
  });
});

describe('generateSyntheticCatalog: values', () => {
  it('puts ratings on the scale with an ML-100k-like distribution', () => {
    const hist = [0, 0, 0, 0, 0, 0];
    let sum = 0;
    let offScale = 0;
    for (const r of demo.ratings.ratings) {
      if (!(Number.isInteger(r) && r >= 1 && r <= 5)) offScale++;
      else hist[r]!++;
      sum += r;
    }
    expect(offScale).toBe(0);
    const mean = sum / demo.ratings.length;
    expect(mean).toBeGreaterThan(3.4);
    expect(mean).toBeLessThan(3.65);
    expect(hist.indexOf(Math.max(...hist))).toBe(4); // the mode is 4
    expect(hist[1]! / demo.ratings.length).toBeGreaterThan(0.03);
  });

  it('supports half stars', () => {
    const ds = generateSyntheticCatalog({
      users: 30,
      ratingsPerUser: 30,
      ratingScale: { min: 0.5, max: 5, step: 0.5 },
      content: false,
    });
    expect(ds.ratingScale).toEqual({ min: 0.5, max: 5, step: 0.5 });
    const values = new Set(ds.ratings.ratings);
    for (const v of values) {
      expect(v * 2).toBe(Math.round(v * 2));
      expect(v).toBeGreaterThanOrEqual(0.5);
      expect(v).toBeLessThanOrEqual(5);
    }
    expect([...values].some((v) => v % 1 === 0.5)).toBe(true);
    expect(values.size).toBeGreaterThanOrEqual(8);
  });

  it('orders each user’s timestamps, within the window, with ties', () => {
    const start = 874713600;
    const end = 893289600;
    const { userIds, timestamps } = demo.ratings;
    let ties = 0;
    let outside = 0;
    let backwards = 0;
    for (let i = 0; i < demo.ratings.length; i++) {
      const t = timestamps[i]!;
      if (!(Number.isInteger(t) && t >= start && t <= end)) outside++;
      // rows are written user by user in sequence order
      if (i > 0 && userIds[i - 1] === userIds[i]) {
        if (t < timestamps[i - 1]!) backwards++;
        if (t === timestamps[i - 1]) ties++;
      }
    }
    expect(outside).toBe(0);
    expect(backwards).toBe(0);
    expect(ties / demo.ratings.length).toBeGreaterThan(0.3);

    const custom = generateSyntheticCatalog({
      users: 10,
      ratingsPerUser: 20,
      startTime: 1e9,
      endTime: 1e9 + 86400,
    });
    for (const t of custom.ratings.timestamps) expect(t >= 1e9 && t <= 1e9 + 86400).toBe(true);
    for (const m of custom.movies) expect(m.year).toBeLessThanOrEqual(2001); // 1e9 + 1 day is in 2001
  });

  it('has Zipf-shaped popularity: the top 10% of movies get an outsized share', () => {
    const share = (ds: SyntheticDataset): number => {
      const counts = new Array<number>(ds.movies.length).fill(0);
      for (const m of ds.ratings.movieIds) counts[m - 1]!++;
      counts.sort((a, b) => b - a);
      const top = counts.slice(0, Math.round(ds.movies.length / 10)).reduce((a, b) => a + b, 0);
      return top / ds.ratings.length;
    };
    expect(share(demo)).toBeGreaterThan(0.3); // 10% under uniform popularity; ML-100k: 43%
    const flat = generateSyntheticCatalog({ zipfExponent: 0, content: false });
    expect(share(flat)).toBeLessThan(share(demo) - 0.1);
  });

  it('draws ML-100k-shaped demographics', () => {
    let women = 0;
    for (const u of demo.users) {
      expect(Number.isInteger(u.age) && u.age! >= 7 && u.age! <= 73).toBe(true);
      expect(['M', 'F']).toContain(u.gender);
      expect(ML100K_OCCUPATIONS).toContain(u.occupation);
      expect(u.zip).toMatch(/^\d{5}$/);
      if (u.gender === 'F') women++;
    }
    expect(women / demo.users.length).toBeGreaterThan(0.2);
    expect(women / demo.users.length).toBeLessThan(0.4);
    // occupations follow age: students are young, retirees old
    for (const u of demo.users) {
      if (u.occupation === 'retired') expect(u.age).toBeGreaterThanOrEqual(50);
      if (u.occupation === 'student') expect(u.age).toBeLessThan(50);
    }
  });

  it('gives movies 1–3 genres in genre order, a year in the title and a release date', () => {
    for (const m of demo.movies) {
      expect(m.genres.length).toBeGreaterThanOrEqual(1);
      expect(m.genres.length).toBeLessThanOrEqual(3);
      const idx = m.genres.map((g) => demo.genres.indexOf(g));
      expect(idx.every((i) => i >= 0)).toBe(true);
      expect([...idx].sort((a, b) => a - b)).toEqual(idx);
      expect(m.title).toBe(`Synthetic Movie ${m.id} (${m.year})`);
      expect(m.releaseDate).toMatch(new RegExp(`^\\d\\d-[A-Z][a-z]{2}-${m.year}$`));
      expect(m.imdbUrl).toBe(`http://us.imdb.com/M/title-exact?Synthetic%20Movie%20${m.id}%20(${m.year})`);
      expect(m.year).toBeGreaterThanOrEqual(1998 - 69);
      expect(m.year).toBeLessThanOrEqual(1998);
    }
  });

  it('works with a custom genre list', () => {
    const ds = generateSyntheticCatalog({ users: 20, ratingsPerUser: 20, genres: ['Space', 'Noir', 'Cozy'] });
    expect(ds.genres).toEqual(['Space', 'Noir', 'Cozy']);
    for (const m of ds.movies) for (const g of m.genres) expect(ds.genres).toContain(g);
    expect(ds.movies.every((m) => (m.plot ?? '').length > 0)).toBe(true);
  });
});

describe('generateSyntheticCatalog: content', () => {
  it('gives every movie a plot, a director, writers and cast', () => {
    for (const m of demo.movies) {
      expect(m.plot!.split(' ').length).toBeGreaterThanOrEqual(12);
      expect(m.directors!.length).toBe(1);
      expect(m.writers!.length).toBeGreaterThanOrEqual(1);
      expect(m.writers!.length).toBeLessThanOrEqual(3);
      expect(m.cast!.length).toBeGreaterThanOrEqual(3);
      expect(new Set(m.cast).size).toBe(m.cast!.length);
    }
  });

  it('has recurring actor–director partnerships', () => {
    const pairs = new Map<string, number>();
    for (const m of demo.movies) {
      for (const a of m.cast!) {
        const key = `${m.directors![0]}|${a}`;
        pairs.set(key, (pairs.get(key) ?? 0) + 1);
      }
    }
    const recurring = [...pairs.values()].filter((n) => n >= 3).length;
    expect(recurring).toBeGreaterThan(20);
  });

  it('puts genre words in plots (signal for TF-IDF)', () => {
    const sciFiWords = [
      'alien',
      'planet',
      'spaceship',
      'robot',
      'future',
      'galaxy',
      'android',
      'cyborg',
      'laser',
    ];
    const rate = (sciFi: boolean) => {
      const ms = demo.movies.filter((m) => m.genres.includes('Sci-Fi') === sciFi);
      return (
        ms.filter((m) => sciFiWords.some((w) => m.plot!.toLowerCase().split(/[ .]/).includes(w))).length /
        ms.length
      );
    };
    expect(rate(true)).toBeGreaterThan(0.5);
    expect(rate(false)).toBeLessThan(0.1);
  });
});

describe('generateSyntheticCatalog: learnable structure', () => {
  /** Mean genre Jaccard similarity of consecutive items, in time order and in a shuffled order. */
  function consecutiveSimilarity(ds: SyntheticDataset): { ordered: number; shuffled: number } {
    const genres = ds.movies.map((m) => new Set(m.genres));
    const jaccard = (a: number, b: number) => {
      const A = genres[a - 1]!;
      const B = genres[b - 1]!;
      let inter = 0;
      for (const g of A) if (B.has(g)) inter++;
      return inter / (A.size + B.size - inter);
    };
    const rng = new Rng(1);
    let ordered = 0;
    let shuffled = 0;
    let n = 0;
    for (const items of sequences(ds).values()) {
      const mixed = rng.shuffle([...items]);
      for (let t = 1; t < items.length; t++) {
        ordered += jaccard(items[t]!, items[t - 1]!);
        shuffled += jaccard(mixed[t]!, mixed[t - 1]!);
        n++;
      }
    }
    return { ordered: ordered / n, shuffled: shuffled / n };
  }

  it('makes the next movie resemble the last ones (order matters)', () => {
    const s = consecutiveSimilarity(demo);
    expect(s.ordered).toBeGreaterThan(1.25 * s.shuffled);
    // with drift 0 the order carries (almost) no signal
    const fixed = consecutiveSimilarity(generateSyntheticCatalog({ drift: 0, content: false }));
    expect(fixed.ordered - fixed.shuffled).toBeLessThan((s.ordered - s.shuffled) / 3);
  });

  it('gives demographic groups measurably different genre preferences', () => {
    const G = demo.genres.length;
    const genreIdx = demo.movies.map((m) => m.genres.map((g) => demo.genres.indexOf(g)));
    const perUser = demo.users.map(() => new Float64Array(G));
    for (let i = 0; i < demo.ratings.length; i++) {
      const u = demo.ratings.userIds[i]! - 1;
      for (const g of genreIdx[demo.ratings.movieIds[i]! - 1]!) perUser[u]![g]!++;
    }
    /** User-weighted mean total-variation distance between each group's genre shares and everyone's. */
    const dispersion = (group: number[]): number => {
      const groups = new Map<number, Float64Array>();
      const all = new Float64Array(G);
      group.forEach((g, u) => {
        const v = groups.get(g) ?? new Float64Array(G);
        groups.set(g, v);
        for (let k = 0; k < G; k++) {
          v[k]! += perUser[u]![k]!;
          all[k]! += perUser[u]![k]!;
        }
      });
      const norm = (v: Float64Array) => {
        const s = v.reduce((a, b) => a + b, 0);
        return v.map((x) => x / s);
      };
      const p = norm(all);
      let total = 0;
      group.forEach((g) => {
        const q = norm(groups.get(g)!);
        let tv = 0;
        for (let k = 0; k < G; k++) tv += Math.abs(q[k]! - p[k]!) / 2;
        total += tv;
      });
      return total / group.length;
    };
    const labels = demo.users.map((u) => ageBand(u.age!) * 2 + (u.gender === 'F' ? 1 : 0));
    const real = dispersion(labels);
    const permuted = dispersion(new Rng(7).shuffle([...labels]));
    expect(real).toBeGreaterThan(2 * permuted);

    // Named effects: women rate more Romance than men; 50+ more Westerns, Film-Noir and War than under-25s.
    const share = (users: number[], genres: string[]) => {
      let hits = 0;
      let tot = 0;
      for (const u of users) {
        for (let k = 0; k < G; k++) {
          tot += perUser[u]![k]!;
          if (genres.includes(demo.genres[k]!)) hits += perUser[u]![k]!;
        }
      }
      return hits / tot;
    };
    const idx = (keep: (age: number, gender: string) => boolean) =>
      demo.users.flatMap((u, i) => (keep(u.age!, u.gender!) ? [i] : []));
    const women = share(
      idx((_, g) => g === 'F'),
      ['Romance'],
    );
    const men = share(
      idx((_, g) => g === 'M'),
      ['Romance'],
    );
    expect(women).toBeGreaterThan(1.1 * men);
    const classics = ['Western', 'Film-Noir', 'War'];
    expect(
      share(
        idx((a) => a >= 50),
        classics,
      ),
    ).toBeGreaterThan(
      1.1 *
        share(
          idx((a) => a < 25),
          classics,
        ),
    );
  });

  it('lets demographics beat popularity for new users (cold start)', () => {
    // Every 5th user is new. From the other users, count each movie's ratings overall and per age band ×
    // gender; then score what each new user rated under (a) popularity alone and (b) their group's popularity.
    const seqs = sequences(demo);
    const M = demo.movies.length;
    const groupOf = (labels: number[]) => (u: number) => labels[u - 1]!;
    const labels = demo.users.map((u) => ageBand(u.age!) * 2 + (u.gender === 'F' ? 1 : 0));
    const evaluate = (group: (u: number) => number) => {
      const pop = new Float64Array(M + 1);
      const groupPop = Array.from({ length: 14 }, () => new Float64Array(M + 1));
      for (const [u, items] of seqs) {
        if (u % 5 === 0) continue;
        for (const j of items) {
          pop[j]!++;
          groupPop[group(u)]![j]!++;
        }
      }
      const sum = (v: Float64Array) => v.reduce((a, b) => a + b, 0);
      const popTotal = sum(pop);
      const top10 = (score: Float64Array) =>
        Array.from({ length: M }, (_, k) => k + 1)
          .sort((a, b) => score[b]! - score[a]! || a - b)
          .slice(0, 10);
      const popTop = top10(pop);
      // group shares, with a little global popularity for small groups
      const groupTop = groupPop.map((g) => {
        const total = sum(g) || 1;
        return top10(g.map((x, j) => x / total + (0.3 * pop[j]!) / popTotal));
      });
      let popHits = 0;
      let groupHits = 0;
      // mean log-likelihood gain per rated movie of (½ group + ½ overall) popularity over overall popularity
      let gain = 0;
      let n = 0;
      for (const [u, items] of seqs) {
        if (u % 5 !== 0) continue;
        const rated = new Set(items);
        popHits += popTop.filter((j) => rated.has(j)).length;
        groupHits += groupTop[group(u)]!.filter((j) => rated.has(j)).length;
        const g = groupPop[group(u)]!;
        const gTotal = sum(g);
        for (const j of items) {
          const p = (pop[j]! + 1) / (popTotal + M);
          gain += Math.log((0.5 * (g[j]! + 1)) / (gTotal + M) + 0.5 * p) - Math.log(p);
          n++;
        }
      }
      return { popHits, groupHits, gain: gain / n };
    };
    const real = evaluate(groupOf(labels));
    expect(real.groupHits).toBeGreaterThan(real.popHits);
    expect(real.gain).toBeGreaterThan(0.03);
    // the same with the demographic labels shuffled among users: no gain
    const permuted = evaluate(groupOf(new Rng(3).shuffle([...labels])));
    expect(permuted.gain).toBeLessThan(real.gain / 2);
  });

  it('makes ratings follow the latent affinity', () => {
    const { userTaste, movieLatent, latentDim: d } = demo.truth;
    const n = demo.ratings.length;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let syy = 0;
    let sxy = 0;
    for (let i = 0; i < n; i++) {
      const u = demo.ratings.userIds[i]! - 1;
      const m = demo.ratings.movieIds[i]! - 1;
      let a = 0;
      for (let k = 0; k < d; k++) a += userTaste[u * d + k]! * movieLatent[m * d + k]!;
      const r = demo.ratings.ratings[i]!;
      sx += a;
      sy += r;
      sxx += a * a;
      syy += r * r;
      sxy += a * r;
    }
    const cov = sxy / n - (sx / n) * (sy / n);
    const corr = cov / Math.sqrt((sxx / n - (sx / n) ** 2) * (syy / n - (sy / n) ** 2));
    expect(corr).toBeGreaterThan(0.25);
  });

  it('generates 50,000 ratings (a quick scale check; timings are in the PR notes, not asserted)', () => {
    const ds = generateSyntheticCatalog({ interactions: 50_000, content: false, seed: 11 });
    expect(ds.ratings.length).toBe(50_000);
    expect(ds.users.length).toBe(833); // round(50000 / 60)
    expect(ds.movies.length).toBe(894); // round(4·√50000)
  });
});

describe('generateSyntheticCatalog: options', () => {
  it.each([
    [{ users: 0 }, 'users'],
    [{ users: 1.5 }, 'users'],
    [{ users: 10, ratingsPerUser: 30, interactions: 300 }, 'interactions'],
    [{ drift: 1.5 }, 'drift'],
    [{ zipfExponent: -1 }, 'zipfExponent'],
    [{ latentDim: 1 }, 'latentDim'],
    [{ ratingsPerUser: 30, minRatingsPerUser: 31 }, 'minRatingsPerUser'],
    [{ movies: 10, ratingsPerUser: 30 }, 'movies'],
    [{ ratingScale: { min: 1, max: 5, step: 0.3 } }, 'ratingScale'],
    [{ ratingScale: { min: 5, max: 1, step: 1 } }, 'ratingScale'],
    [{ startTime: 100, endTime: 100 }, 'endTime'],
    [{ genres: [] }, 'genres'],
    [{ genres: ['A', 'A'] }, 'genres'],
  ])('rejects %j with a ConfigError on %s', (options, option) => {
    try {
      generateSyntheticCatalog(options);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).option).toBe(option);
    }
  });
});
