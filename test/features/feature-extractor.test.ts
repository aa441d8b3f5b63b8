import { describe, expect, it } from 'vitest';
import { type Dataset, type Movie, type Rating, RatingTable } from '../../src/data/types';
import { ConfigError, DataFormatError, ModelFormatError, StateError } from '../../src/errors';
import { FeatureExtractor } from '../../src/features/feature-extractor';

const DAY = 86_400;
/** The middle of 2000 (2000.5 years after 1970 at 365.25 days a year): 30.5 × 365.25 = 11140.125 days. */
const AS_OF = 11_140.125 * DAY; // 962506800

function dataset(movies: Movie[], ratings: Rating[] = [], genres = ['Action', 'Comedy', 'Drama']): Dataset {
  return {
    name: 'tiny',
    format: 'custom',
    ratings: RatingTable.from(ratings),
    movies,
    users: [],
    genres,
    ratingScale: { min: 1, max: 5, step: 1 },
    report: { source: 'test', format: 'custom', mode: 'strict', files: [], issues: [], issuesOmitted: 0 },
  };
}

const MOVIES: Movie[] = [
  { id: 1, title: 'Alpha (1995)', year: 1995, genres: ['Action', 'Comedy'] },
  { id: 2, title: 'Beta (1987)', year: 1987, genres: ['Drama'] },
  { id: 3, title: 'Gamma', year: null, genres: ['Comedy'] },
  { id: 4, title: 'Delta (2001)', year: 2001, genres: ['Action'] },
];

const r = (movieId: number, timestamp: number, userId = 1): Rating => ({
  userId,
  movieId,
  rating: 4,
  timestamp,
});
// Up to AS_OF: movie 1 rated 3 times (last 10 days before), movie 2 once (100 days before); 3 and 4 never.
const RATINGS: Rating[] = [
  r(1, AS_OF - 50 * DAY, 1),
  r(1, AS_OF - 10 * DAY, 2),
  r(2, AS_OF - 100 * DAY, 1),
  r(1, AS_OF - 20 * DAY, 3),
];

const only = (
  groups: Partial<
    Record<'genres' | 'year' | 'popularity' | 'recency' | 'people' | 'partnerships' | 'text', boolean>
  >,
) => ({
  genres: false,
  year: false,
  popularity: false,
  recency: false,
  people: false,
  partnerships: false,
  text: false,
  ...groups,
});

function row(fe: FeatureExtractor, id: number): Record<string, number> {
  const values = fe.transform([id]);
  return Object.fromEntries(fe.featureNames().map((n, i) => [n, values[i]!]));
}

describe('FeatureExtractor groups', () => {
  it('needs fit first', () => {
    const fe = new FeatureExtractor();
    expect(fe.fitted).toBe(false);
    expect(() => fe.transform([1])).toThrow(StateError);
    expect(() => fe.dim).toThrow(StateError);
  });

  it('ratingCountColumns names the columns computed from ratings', async () => {
    const fe = await new FeatureExtractor(only({ genres: true, popularity: true, recency: true })).fit(
      dataset(MOVIES, RATINGS),
    );
    // genre:Action, genre:Comedy, genre:Drama, popularity, age, since_last_rating
    expect(fe.featureNames().slice(3)).toEqual(['popularity', 'age', 'since_last_rating']);
    expect(fe.ratingCountColumns()).toEqual([3, 5]);
    const content = await new FeatureExtractor(only({ genres: true })).fit(dataset(MOVIES, RATINGS));
    expect(content.ratingCountColumns()).toEqual([]);
    expect(() => new FeatureExtractor().ratingCountColumns()).toThrow(StateError);
  });

  it('genre multi-hot in dataset.genres order', async () => {
    const fe = await new FeatureExtractor(only({ genres: true })).fit(dataset(MOVIES, RATINGS));
    expect(fe.featureNames()).toEqual(['genre:Action', 'genre:Comedy', 'genre:Drama']);
    expect(Array.from(fe.transform([1, 2, 3]))).toEqual([1, 1, 0, 0, 0, 1, 0, 1, 0]);
  });

  it('year (year − 1900) / 100, unknown flag, contiguous decade one-hot', async () => {
    const fe = await new FeatureExtractor(only({ year: true })).fit(dataset(MOVIES, RATINGS));
    expect(fe.featureNames()).toEqual([
      'year',
      'year:unknown',
      'decade:1980s',
      'decade:1990s',
      'decade:2000s',
    ]);
    const [a, b, c, d] = [1, 2, 3, 4].map((id) => Array.from(fe.transform([id])));
    expect(a![0]).toBeCloseTo(0.95, 6); // (1995 − 1900) / 100
    expect(a!.slice(1)).toEqual([0, 0, 1, 0]);
    expect(b![0]).toBeCloseTo(0.87, 6);
    expect(b!.slice(1)).toEqual([0, 1, 0, 0]);
    expect(c).toEqual([0, 1, 0, 0, 0]); // unknown year: flag only
    expect(d![0]).toBeCloseTo(1.01, 6);
    expect(d!.slice(1)).toEqual([0, 0, 0, 1]);
  });

  it('popularity = log(1 + n) / log(1 + max n) over ratings up to asOf', async () => {
    const fe = await new FeatureExtractor(only({ popularity: true })).fit(dataset(MOVIES, RATINGS));
    // n: movie 1 → 3, movie 2 → 1, others 0; max 3
    expect(row(fe, 1).popularity).toBeCloseTo(1, 6); // log 4 / log 4
    expect(row(fe, 2).popularity).toBeCloseTo(Math.log(2) / Math.log(4), 6); // 0.5
    expect(row(fe, 3).popularity).toBe(0);
  });

  it('recency: age and time since last rating in log-days scaled by log(1 + 36525)', async () => {
    const fe = await new FeatureExtractor(only({ recency: true })).fit(dataset(MOVIES, RATINGS), {
      asOf: AS_OF,
    });
    const scale = Math.log1p(36_525);
    // movie 1 (1995): from mid-1995 to mid-2000 = 5 × 365.25 = 1826.25 days → 0.7148986
    expect(row(fe, 1).age).toBeCloseTo(Math.log1p(1826.25) / scale, 6);
    expect(row(fe, 1).age).toBeCloseTo(0.7148986, 6);
    // last rating of movie 1: 10 days before asOf → log(11) / log(36526) = 0.2282453
    expect(row(fe, 1).since_last_rating).toBeCloseTo(0.2282453, 6);
    // movie 2 (1987): 13 × 365.25 = 4748.25 days → 0.8058176; last rating 100 days before → 0.4392935
    expect(row(fe, 2).age).toBeCloseTo(0.8058176, 6);
    expect(row(fe, 2).since_last_rating).toBeCloseTo(0.4392935, 6);
    // movie 3: year unknown → age 0; never rated → 1
    expect(row(fe, 3)).toEqual({ age: 0, since_last_rating: 1 });
    // movie 4 (2001) is released after asOf → age 0
    expect(row(fe, 4).age).toBe(0);
  });

  it('never reads ratings after asOf: adding later ratings changes nothing', async () => {
    const options = only({ popularity: true, recency: true });
    const before = await new FeatureExtractor(options).fit(dataset(MOVIES, RATINGS), { asOf: AS_OF });
    const later = [...RATINGS, r(3, AS_OF + 1), r(4, AS_OF + DAY), r(2, AS_OF + 5 * DAY), r(1, AS_OF + 1)];
    const after = await new FeatureExtractor(options).fit(dataset(MOVIES, later), { asOf: AS_OF });
    expect(Array.from(after.transform([1, 2, 3, 4]))).toEqual(Array.from(before.transform([1, 2, 3, 4])));
    expect(after.summary().ratingsAfterAsOf).toBe(4);
    expect(after.summary().ratingsUsed).toBe(4);
    // A rating exactly at asOf counts.
    const atAsOf = await new FeatureExtractor(options).fit(dataset(MOVIES, [...RATINGS, r(3, AS_OF)]), {
      asOf: AS_OF,
    });
    expect(row(atAsOf, 3).since_last_rating).toBe(0);
  });

  it('asOf defaults to the latest timestamp; without ratings popularity and recency turn off', async () => {
    const fe = await new FeatureExtractor(only({ recency: true })).fit(dataset(MOVIES, RATINGS));
    expect(fe.summary().asOf).toBe(AS_OF - 10 * DAY);
    expect(row(fe, 1).since_last_rating).toBe(0);
    const none = await new FeatureExtractor(only({ genres: true, popularity: true, recency: true })).fit(
      dataset(MOVIES, []),
    );
    const groups = none.summary().groups;
    expect(groups.find((g) => g.name === 'popularity')).toMatchObject({ enabled: false, dim: 0 });
    expect(groups.find((g) => g.name === 'recency')!.reason).toContain('no ratings');
    expect(none.dim).toBe(3);
  });

  it('counts ratings of movies outside the catalogue instead of dropping them silently', async () => {
    const fe = await new FeatureExtractor(only({ popularity: true })).fit(
      dataset(MOVIES, [...RATINGS, r(99, 0)]),
    );
    expect(fe.summary().ratingsUnknownMovie).toBe(1);
  });

  it('people: directors and cast capped by frequency with a minimum count', async () => {
    const movies: Movie[] = [
      { ...MOVIES[0]!, directors: ['Kubrick'], cast: ['Ann', 'Bob'] },
      { ...MOVIES[1]!, directors: ['Kubrick', 'Lean'], cast: ['Bob'] },
      { ...MOVIES[2]!, directors: ['Lean'], cast: ['Cy'] },
      { ...MOVIES[3]!, directors: ['Kubrick'], cast: [] },
    ];
    // directors in movies: Kubrick 3, Lean 2; cast: Bob 2, Ann 1, Cy 1
    const fe = await new FeatureExtractor({ ...only({ people: true }), maxDirectors: 1 }).fit(
      dataset(movies),
    );
    expect(fe.featureNames()).toEqual(['director:Kubrick', 'cast:Bob']);
    expect(Array.from(fe.transform([1, 2, 3, 4]))).toEqual([1, 1, 1, 1, 0, 0, 1, 0]);
    const both = await new FeatureExtractor(only({ people: true })).fit(dataset(movies));
    expect(both.featureNames()).toEqual(['director:Kubrick', 'director:Lean', 'cast:Bob']);
    const strict = await new FeatureExtractor({ ...only({ people: true }), minPeopleCount: 3 }).fit(
      dataset(movies),
    );
    expect(strict.featureNames()).toEqual(['director:Kubrick']);
    expect(strict.summary().groups.find((g) => g.name === 'cast')!.reason).toBe(
      'no cast member appears in ≥ 3 movies',
    );
  });

  it('people turn off, with the reason, when no movie has them', async () => {
    const fe = await new FeatureExtractor(only({ genres: true, people: true })).fit(dataset(MOVIES));
    const { groups } = fe.summary();
    expect(groups.find((g) => g.name === 'directors')).toEqual({
      name: 'directors',
      enabled: false,
      offset: 3,
      dim: 0,
      reason: 'no movie has directors',
    });
    expect(groups.find((g) => g.name === 'cast')!.reason).toBe('no movie has cast');
    expect(fe.dim).toBe(3);
  });

  it('ML-1M style data (genres and years only) works with the defaults', async () => {
    const fe = await new FeatureExtractor().fit(dataset(MOVIES, RATINGS));
    const on = fe
      .summary()
      .groups.filter((g) => g.enabled)
      .map((g) => g.name);
    expect(on).toEqual(['genres', 'year', 'popularity', 'recency']);
    expect(fe.summary().groups.find((g) => g.name === 'text')!.reason).toBe('no movie has plot or tags');
    expect(fe.dim).toBe(3 + 5 + 1 + 2);
  });

  it('rejects duplicate movie ids and bad options', async () => {
    await expect(new FeatureExtractor().fit(dataset([MOVIES[0]!, MOVIES[0]!]))).rejects.toBeInstanceOf(
      DataFormatError,
    );
    await expect(new FeatureExtractor().fit(dataset(MOVIES), { asOf: Number.NaN })).rejects.toBeInstanceOf(
      ConfigError,
    );
    expect(() => new FeatureExtractor({ textDims: 0 })).toThrow(ConfigError);
    expect(() => new FeatureExtractor({ stem: 'yes' as 'auto' })).toThrow(ConfigError);
    expect(() => new FeatureExtractor({ textFields: ['synopsis' as 'plot'] })).toThrow(ConfigError);
  });
});

describe('FeatureExtractor text', () => {
  const plots: Movie[] = [
    { id: 1, title: 'A', year: 1990, genres: [], plot: 'A cowboy doll fights a space ranger toy.' },
    { id: 2, title: 'B', year: 1991, genres: [], plot: 'A space ranger toy fights a cowboy doll.' },
    {
      id: 3,
      title: 'C',
      year: 1992,
      genres: [],
      plot: 'Aliens invade the earth; a space ranger fights back.',
    },
    { id: 4, title: 'D', year: 1993, genres: [], plot: 'Unique words: zeppelin, marmalade.' },
    { id: 5, title: 'E', year: 1994, genres: [] },
  ];
  const textOnly = { ...only({ text: true }), stem: false as const, textDims: 8 };

  it('projects TF-IDF to textDims unit-norm columns; no text or only rare tokens give zeros', async () => {
    const fe = await new FeatureExtractor(textOnly).fit(dataset(plots));
    expect(fe.featureNames()).toEqual([
      'text:0',
      'text:1',
      'text:2',
      'text:3',
      'text:4',
      'text:5',
      'text:6',
      'text:7',
    ]);
    const rows = [1, 2, 3, 4, 5].map((id) => Array.from(fe.transform([id])));
    const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    expect(norm(rows[0]!)).toBeCloseTo(1, 5);
    expect(norm(rows[2]!)).toBeCloseTo(1, 5);
    // Same words in another order: same TF-IDF, same projection.
    expect(rows[1]).toEqual(rows[0]);
    // Movie 4's words appear in one plot only (textMinDocs 2): out of vocabulary → zeros; movie 5 has no plot.
    expect(rows[3]!.every((x) => x === 0)).toBe(true);
    expect(rows[4]!.every((x) => x === 0)).toBe(true);
    // vocabulary: tokens in ≥ 2 plots: cowboy, doll, fights, ranger, space, toy
    expect(fe.summary().text).toEqual({
      stemmer: null,
      tokenizer: 'unicode',
      vocabularySize: 6,
      documents: 4,
    });
  });

  it('is deterministic for a seed and changes with it', async () => {
    const a = await new FeatureExtractor({ ...textOnly, seed: 1 }).fit(dataset(plots));
    const b = await new FeatureExtractor({ ...textOnly, seed: 1 }).fit(dataset(plots));
    const c = await new FeatureExtractor({ ...textOnly, seed: 2 }).fit(dataset(plots));
    expect(Array.from(b.transform([3]))).toEqual(Array.from(a.transform([3])));
    expect(Array.from(c.transform([3]))).not.toEqual(Array.from(a.transform([3])));
  });

  it('takes tags (ml-latest) and titles as text when asked', async () => {
    const tagged: Movie[] = [
      { id: 1, title: 'Toy Story (1995)', year: 1995, genres: [], tags: ['pixar', 'toys'] },
      { id: 2, title: 'Toy Story 2 (1999)', year: 1999, genres: [], tags: ['pixar', 'sequel'] },
    ];
    const tags = await new FeatureExtractor(textOnly).fit(dataset(tagged));
    expect(tags.summary().text?.vocabularySize).toBe(1); // pixar
    const titles = await new FeatureExtractor({ ...textOnly, textFields: ['title'] }).fit(dataset(tagged));
    expect(titles.summary().text?.vocabularySize).toBe(2); // story, toy (the "(1995)" is stripped)
    const none = await new FeatureExtractor({ ...textOnly, textFields: ['plot'] }).fit(dataset(tagged));
    expect(none.summary().groups.find((g) => g.name === 'text')).toMatchObject({
      enabled: false,
      reason: 'no movie has plot',
    });
  });

  it('uses a custom stemmer', async () => {
    const stemmer = { name: 'first3', stem: (w: string) => w.slice(0, 3) };
    const fe = await new FeatureExtractor({ ...textOnly, stemmer }).fit(dataset(plots));
    expect(fe.summary().text?.stemmer).toBe('first3');
  });
});

describe('FeatureExtractor.similar', () => {
  it('ranks by cosine similarity of the rows, leaving the movie itself out', async () => {
    const movies: Movie[] = [
      { id: 10, title: 'AC', year: 1990, genres: ['Action', 'Comedy'] },
      { id: 20, title: 'A', year: 1990, genres: ['Action'] },
      { id: 30, title: 'D', year: 1990, genres: ['Drama'] },
      { id: 40, title: 'ACD', year: 1990, genres: ['Action', 'Comedy', 'Drama'] },
      { id: 50, title: 'none', year: 1990, genres: [] },
    ];
    const fe = await new FeatureExtractor(only({ genres: true })).fit(dataset(movies));
    // q = (1,1,0): vs 40 (1,1,1) → 2 / (√2 · √3) = 0.8164966; vs 20 (1,0,0) → 1/√2 = 0.7071068;
    // vs 30 (0,0,1) → 0; vs 50 (zero row) → 0; ties by id
    const all = fe.similar(10, 10);
    expect(all.map((s) => s.movieId)).toEqual([40, 20, 30, 50]);
    expect(all[0]!.score).toBeCloseTo(0.8164966, 6);
    expect(all[1]!.score).toBeCloseTo(Math.SQRT1_2, 6); // 1/√2
    expect(all[2]!.score).toBe(0);
    expect(fe.similar(10, 2).map((s) => s.movieId)).toEqual([40, 20]);
    expect(fe.similar(10, 0)).toEqual([]);
    expect(() => fe.similar(99)).toThrow(ConfigError);
    expect(() => fe.similar(10, -1)).toThrow(ConfigError);
  });
});

describe('FeatureExtractor transform and serialization', () => {
  const movies: Movie[] = MOVIES.map((m, i) => ({
    ...m,
    plot: i < 3 ? 'Space cowboys ride again across space' : undefined,
    directors: ['Lean', 'Wilder'].slice(0, (i % 2) + 1),
    cast: ['Ann', 'Bob'],
  }));

  it('gives zero rows for ids outside the catalogue', async () => {
    const fe = await new FeatureExtractor(only({ genres: true })).fit(dataset(MOVIES));
    expect(fe.has(99)).toBe(false);
    expect(Array.from(fe.transform([99, 2]))).toEqual([0, 0, 0, 0, 0, 1]);
    expect(fe.transform([]).length).toBe(0);
    expect(fe.movieIds()).toEqual([1, 2, 3, 4]);
  });

  it('round-trips through JSON exactly, every group on', async () => {
    const fe = await new FeatureExtractor({ stem: false, textDims: 4 }).fit(dataset(movies, RATINGS));
    expect(fe.summary().groups.every((g) => g.enabled)).toBe(true);
    const json = fe.toJSON();
    const back = FeatureExtractor.fromJSON(JSON.parse(JSON.stringify(json)));
    expect(back.toJSON()).toEqual(json);
    expect(Array.from(back.transform([4, 3, 2, 1]))).toEqual(Array.from(fe.transform([4, 3, 2, 1])));
    expect(back.similar(1, 3)).toEqual(fe.similar(1, 3));
    expect(back.featureNames()).toEqual(fe.featureNames());
    expect(back.summary()).toEqual(fe.summary());
  });

  it('rejects a malformed saved extractor', async () => {
    const json = (await new FeatureExtractor(only({ genres: true })).fit(dataset(MOVIES))).toJSON();
    expect(() => FeatureExtractor.fromJSON({ ...json, names: ['x'] })).toThrow(ModelFormatError);
    expect(() =>
      FeatureExtractor.fromJSON({ ...json, rows: { ...json.rows, columns: json.rows.columns.map(() => 7) } }),
    ).toThrow(ModelFormatError);
  });
});

describe('FeatureExtractor partnerships', () => {
  // Directors and billed cast of a tiny catalogue. Movie 4's co-director Ann also acts in it: she is never
  // paired with herself. Movie 5 has no people.
  const people: Movie[] = [
    { id: 1, title: 'M1', year: 1990, genres: [], directors: ['Dee'], cast: ['Ann', 'Bob', 'Cy'] },
    { id: 2, title: 'M2', year: 1991, genres: [], directors: ['Dee'], cast: ['Bob', 'Ann'] },
    { id: 3, title: 'M3', year: 1992, genres: [], directors: ['Eve'], cast: ['Cy', 'Ann', 'Bob'] },
    { id: 4, title: 'M4', year: 1993, genres: [], directors: ['Dee', 'Ann'], cast: ['Ann', 'Cy'] },
    { id: 5, title: 'M5', year: 1994, genres: [] },
  ];
  const pairsOnly = only({ partnerships: true });
  // Pairs per movie (top 5 cast, i.e. all of them):
  //   M1: Dee–Ann, Dee–Bob, Dee–Cy, Ann–Bob, Ann–Cy, Bob–Cy
  //   M2: Dee–Bob, Dee–Ann, Ann–Bob
  //   M3: Eve–Cy, Eve–Ann, Eve–Bob, Ann–Cy, Bob–Cy, Ann–Bob
  //   M4: Dee–Ann, Dee–Cy, (director) Ann–Cy, Ann–Cy
  // Counts: Ann–Bob 3, Ann–Cy 3, Dee–Ann 3, Bob–Cy 2, Dee–Bob 2, Dee–Cy 2; every Eve pair and Ann(dir)–Cy 1.
  const ALL = [
    'pair:actor:Ann|actor:Bob',
    'pair:actor:Ann|actor:Cy',
    'pair:director:Dee|actor:Ann',
    'pair:actor:Bob|actor:Cy',
    'pair:director:Dee|actor:Bob',
    'pair:director:Dee|actor:Cy',
  ];

  it('finds pairs in ≥ 2 movies, most frequent first, ties by name', async () => {
    const fe = await new FeatureExtractor(pairsOnly).fit(dataset(people));
    expect(fe.featureNames()).toEqual(ALL);
    expect(fe.summary().partnerships).toEqual({
      topCast: 5,
      found: 6,
      kept: 6,
      directorActor: 3,
      actorActor: 3,
    });
  });

  it("a movie's row has 1s exactly for its pairs", async () => {
    const fe = await new FeatureExtractor(pairsOnly).fit(dataset(people));
    const rows = [1, 2, 3, 4, 5].map((id) => Array.from(fe.transform([id])));
    expect(rows).toEqual([
      [1, 1, 1, 1, 1, 1], // M1 has every kept pair
      [1, 0, 1, 0, 1, 0], // M2: Ann–Bob, Dee–Ann, Dee–Bob
      [1, 1, 0, 1, 0, 0], // M3: Ann–Bob, Ann–Cy, Bob–Cy (Eve's pairs occur once)
      [0, 1, 1, 0, 0, 1], // M4: Ann–Cy, Dee–Ann, Dee–Cy
      [0, 0, 0, 0, 0, 0], // M5 has no people
    ]);
  });

  it('caps by frequency with deterministic ties, and honours the minimum count', async () => {
    const capped = await new FeatureExtractor({ ...pairsOnly, maxPartnerships: 4 }).fit(dataset(people));
    // The three count-3 pairs, then the first count-2 pair by name ('actor:…' sorts before 'director:…').
    expect(capped.featureNames()).toEqual(ALL.slice(0, 4));
    expect(capped.summary().partnerships).toMatchObject({ found: 6, kept: 4 });
    const three = await new FeatureExtractor({ ...pairsOnly, minPartnershipCount: 3 }).fit(dataset(people));
    expect(three.featureNames()).toEqual(ALL.slice(0, 3));
    const four = await new FeatureExtractor({ ...pairsOnly, minPartnershipCount: 4 }).fit(dataset(people));
    expect(four.summary().groups.find((g) => g.name === 'partnerships')).toMatchObject({
      enabled: false,
      reason: 'no pair of people appears together in ≥ 4 movies',
    });
    expect(four.summary().partnerships).toBeNull();
  });

  it('pairs only the top-billed cast', async () => {
    // Top 2: M1 Ann, Bob; M2 Bob, Ann; M3 Cy, Ann; M4 Ann, Cy.
    // Counts: Dee–Ann 3 (M1, M2, M4); Ann–Bob 2; Ann–Cy 2 (M3, M4); Dee–Bob 2; Dee–Cy 1 (M4); Bob–Cy 0.
    const fe = await new FeatureExtractor({ ...pairsOnly, partnershipTopCast: 2 }).fit(dataset(people));
    expect(fe.featureNames()).toEqual([
      'pair:director:Dee|actor:Ann',
      'pair:actor:Ann|actor:Bob',
      'pair:actor:Ann|actor:Cy',
      'pair:director:Dee|actor:Bob',
    ]);
  });

  it('cleans names: trimmed, blank and repeated names dropped', async () => {
    const messy: Movie[] = [
      { id: 1, title: 'A', year: 1990, genres: [], directors: [' Dee '], cast: [' Ann ', 'Ann', '', 'Bob'] },
      { id: 2, title: 'B', year: 1991, genres: [], directors: ['Dee'], cast: ['Bob', 'Ann '] },
    ];
    const fe = await new FeatureExtractor(pairsOnly).fit(dataset(messy));
    expect(fe.featureNames()).toEqual([
      'pair:actor:Ann|actor:Bob',
      'pair:director:Dee|actor:Ann',
      'pair:director:Dee|actor:Bob',
    ]);
  });

  it('is on by default, sits between cast and text, and turns off without cast or by option', async () => {
    const fe = await new FeatureExtractor({ text: false }).fit(dataset(people));
    const names = fe
      .summary()
      .groups.filter((g) => g.enabled)
      .map((g) => g.name);
    expect(names).toEqual(['genres', 'year', 'directors', 'cast', 'partnerships']);
    const noCast = await new FeatureExtractor(pairsOnly).fit(dataset(MOVIES));
    expect(noCast.summary().groups.find((g) => g.name === 'partnerships')!.reason).toBe('no movie has cast');
    const offByOption = await new FeatureExtractor({ partnerships: false }).fit(dataset(people));
    expect(offByOption.summary().groups.find((g) => g.name === 'partnerships')!.reason).toBe(
      'disabled by options',
    );
    expect(() => new FeatureExtractor({ partnershipTopCast: 0 })).toThrow(ConfigError);
    expect(() => new FeatureExtractor({ maxPartnerships: -1 })).toThrow(ConfigError);
  });
});

describe('FeatureExtractor.transformMovies (new movies from metadata)', () => {
  const catalogue: Movie[] = [
    {
      id: 1,
      title: 'Alpha (1995)',
      year: 1995,
      genres: ['Action', 'Comedy'],
      directors: ['Lean'],
      cast: ['Ann', 'Bob'],
      plot: 'Space cowboys ride again across space.',
    },
    {
      id: 2,
      title: 'Beta (1987)',
      year: 1987,
      genres: ['Drama'],
      directors: ['Lean'],
      cast: ['Ann', 'Bob'],
      plot: 'Cowboys fight a dragon.',
    },
    { id: 3, title: 'Gamma', year: null, genres: ['Comedy'], directors: ['Wilder'], cast: ['Cy'] },
    {
      id: 4,
      title: 'Delta (2001)',
      year: 2001,
      genres: ['Action'],
      directors: ['Wilder'],
      cast: ['Cy', 'Ann'],
      plot: 'A dragon in space.',
    },
  ];
  const options = { stem: false as const, textDims: 4 };

  it('gives a catalogue movie exactly its transform row, every group on', async () => {
    const fe = await new FeatureExtractor(options).fit(dataset(catalogue, RATINGS), { asOf: AS_OF });
    expect(fe.summary().groups.every((g) => g.enabled)).toBe(true);
    expect(Array.from(fe.transformMovies(catalogue))).toEqual(Array.from(fe.transform([1, 2, 3, 4])));
  });

  it('addMovies gives new movies rows that transform, similar, has and toJSON know; known ids keep theirs', async () => {
    const fe = await new FeatureExtractor(options).fit(dataset(catalogue, RATINGS), { asOf: AS_OF });
    const before = fe.transform([1, 2, 3, 4]);
    // Movie 1's content under a new id, and movie 1 itself again (already has a row).
    const twin: Movie = { ...catalogue[0]!, id: 50, title: 'Alpha Returns' };
    expect(fe.addMovies([twin, catalogue[0]!])).toEqual([50]);
    expect(fe.addMovies([twin])).toEqual([]);
    expect(fe.has(50)).toBe(true);
    expect(fe.movieIds()).toEqual([1, 2, 3, 4, 50]);
    expect(Array.from(fe.transform([1, 2, 3, 4]))).toEqual(Array.from(before));
    expect(Array.from(fe.transform([50]))).toEqual(Array.from(fe.transformMovies([twin])));
    // Its nearest movie by content is the one it copies (only the rating columns differ).
    expect(fe.similar(50, 1)[0]!.movieId).toBe(1);
    expect(fe.similar(1, 4).map((m) => m.movieId)).toContain(50);
    expect(FeatureExtractor.fromJSON(fe.toJSON()).has(50)).toBe(true);
    expect(() => fe.addMovies([twin, twin])).toThrow(ConfigError);
    expect(() => fe.addMovies([{ id: 'x' } as never])).toThrow(ConfigError);
    await expect(async () => new FeatureExtractor().addMovies([twin])).rejects.toThrow(StateError);
  });

  it('builds a new movie from the fitted vocabularies: unknowns get no column, unrated counts as unrated', async () => {
    const fe = await new FeatureExtractor(options).fit(dataset(catalogue, RATINGS), { asOf: AS_OF });
    const fresh: Movie = {
      id: 99,
      title: 'Epsilon (2012)',
      year: 2012,
      genres: ['Drama', 'Western'], // Western is not a fitted genre
      directors: ['Lean', 'Nolan'], // Nolan is not a fitted director
      cast: ['Bob', 'Ann', 'Zed'],
      plot: 'Space cowboys ride again across space.', // movie 1's plot
    };
    const v = fe.transformMovies([fresh]);
    const named = Object.fromEntries(fe.featureNames().map((n, i) => [n, v[i]!]));
    expect(named['genre:Action']).toBe(0);
    expect(named['genre:Drama']).toBe(1);
    // Decades fitted: 1980s..2000s; 2012's decade has no column, the year value still counts.
    expect(named.year).toBeCloseTo(1.12, 6); // (2012 − 1900) / 100
    expect(named['year:unknown']).toBe(0);
    expect(fe.featureNames().filter((n) => n.startsWith('decade:') && named[n] !== 0)).toEqual([]);
    // Unrated: popularity 0, since_last_rating 1; released after asOf (mid-2000): age 0.
    expect(named.popularity).toBe(0);
    expect(named.since_last_rating).toBe(1);
    expect(named.age).toBe(0);
    expect(named['director:Lean']).toBe(1);
    expect(fe.featureNames().some((n) => n.includes('Nolan') || n.includes('Zed'))).toBe(false);
    // Pairs in ≥ 2 catalogue movies: Ann–Bob (1, 2), Lean–Ann (1, 2), Lean–Bob (1, 2); the new movie has all.
    expect(named['pair:actor:Ann|actor:Bob']).toBe(1);
    expect(named['pair:director:Lean|actor:Ann']).toBe(1);
    expect(named['pair:director:Lean|actor:Bob']).toBe(1);
    // Same plot as movie 1 → the same text columns.
    const textCols = fe.featureNames().flatMap((n, i) => (n.startsWith('text:') ? [i] : []));
    const one = fe.transform([1]);
    expect(textCols.map((i) => v[i])).toEqual(textCols.map((i) => one[i]));
  });

  it('an old movie re-described keeps its rating columns; an empty movie gets only the unknown flags', async () => {
    const fe = await new FeatureExtractor(options).fit(dataset(catalogue, RATINGS), { asOf: AS_OF });
    const names = fe.featureNames();
    const [a, b] = [fe.transformMovies([{ id: 1, title: '', year: null, genres: [] }]), fe.transform([1])];
    const pop = names.indexOf('popularity');
    const since = names.indexOf('since_last_rating');
    expect(a[pop]).toBe(b[pop]);
    expect(a[since]).toBe(b[since]);
    const empty = fe.transformMovies([{ id: 100, title: '', year: null, genres: [] }]);
    const nonZero = names.filter((_, i) => empty[i] !== 0);
    expect(nonZero).toEqual(['year:unknown', 'since_last_rating']);
    expect(fe.transformMovies([]).length).toBe(0);
    expect(() => fe.transformMovies([null as unknown as Movie])).toThrow(ConfigError);
  });

  it('works the same after a JSON round trip', async () => {
    const fe = await new FeatureExtractor(options).fit(dataset(catalogue, RATINGS), { asOf: AS_OF });
    const back = FeatureExtractor.fromJSON(JSON.parse(JSON.stringify(fe.toJSON())));
    const fresh: Movie = {
      id: 7,
      title: 'N',
      year: 1999,
      genres: ['Action'],
      cast: ['Ann'],
      plot: 'A dragon.',
    };
    expect(Array.from(back.transformMovies([fresh, ...catalogue]))).toEqual(
      Array.from(fe.transformMovies([fresh, ...catalogue])),
    );
    expect(back.toJSON()).toEqual(fe.toJSON());
  });

  it('needs the stemmer it was fitted with for new text after fromJSON; restore() loads Porter', async () => {
    const stemmer = { name: 'first4', stem: (w: string) => w.slice(0, 4) };
    const fe = await new FeatureExtractor({ ...options, stemmer }).fit(dataset(catalogue));
    const json = JSON.parse(JSON.stringify(fe.toJSON()));
    const fresh: Movie = { id: 7, title: 'N', year: 1999, genres: [], plot: 'Spacecraft cowboy' };
    const bare = FeatureExtractor.fromJSON(json);
    expect(() => bare.transformMovies([fresh])).toThrow(StateError);
    expect(bare.transformMovies([{ ...fresh, plot: undefined }]).length).toBe(fe.dim); // no text, no stemmer
    const withParts = FeatureExtractor.fromJSON(json, { stemmer });
    expect(Array.from(withParts.transformMovies([fresh]))).toEqual(Array.from(fe.transformMovies([fresh])));

    const porter = await new FeatureExtractor({ stem: true, textDims: 4 }).fit(dataset(catalogue));
    const restored = await FeatureExtractor.restore(JSON.parse(JSON.stringify(porter.toJSON())));
    expect(Array.from(restored.transformMovies([fresh]))).toEqual(
      Array.from(porter.transformMovies([fresh])),
    );
  });

  it('a document saved without vocabularies still transforms ids, but not new movies', async () => {
    const fe = await new FeatureExtractor(only({ genres: true })).fit(dataset(MOVIES));
    const { vocabularies: _v, ratingStats: _r, ...old } = fe.toJSON();
    const back = FeatureExtractor.fromJSON(old);
    expect(Array.from(back.transform([1]))).toEqual(Array.from(fe.transform([1])));
    expect(() => back.transformMovies(MOVIES)).toThrow(StateError);
  });

  it('rejects saved vocabularies that do not give the saved columns', async () => {
    const json = (await new FeatureExtractor(only({ genres: true })).fit(dataset(MOVIES))).toJSON();
    const bad = { ...json, vocabularies: { ...json.vocabularies!, genres: ['Action'] } };
    expect(() => FeatureExtractor.fromJSON(bad)).toThrow(ModelFormatError);
  });
});
