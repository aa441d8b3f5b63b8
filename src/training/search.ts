/**
 * Hyperparameter search, independent of reelrec's models: the objective is any async function of a
 * configuration. Grid, seeded random and successive-halving strategies; a budget in trials or seconds; an
 * `AbortSignal` for the running trial when the time is up; resumable from a JSON state file written atomically
 * after every trial.
 *
 * @module
 */
import { AbortedError, ConfigError } from '../errors';
import { readTextFile, writeTextFileAtomic } from '../platform/node-state';
import { Rng } from '../util/random';

/** A value a hyperparameter can take in a list. */
export type ParamValue = string | number | boolean | null;

/** A numeric range sampled by the random and successive-halving strategies. */
export interface ParamRange {
  /** Smallest value (inclusive). */
  min: number;
  /** Largest value (inclusive for integers; floats stay below it). */
  max: number;
  /** Sample uniformly in log space (needs `min > 0`), e.g. for learning rates. Default false. */
  log?: boolean;
  /** Draw integers (`min` and `max` must be integers). Default false. */
  integer?: boolean;
}

/** Where one hyperparameter's values come from: a list (every strategy) or a range (random, halving). */
export type ParamDomain = readonly ParamValue[] | ParamRange;

/** The search space: one domain per hyperparameter name. Key order sets the grid order. */
export type SearchSpace = Readonly<Record<string, ParamDomain>>;

/** One configuration: a value per hyperparameter of the space, keys in the space's order. */
export type TrialConfig = Record<string, ParamValue>;

/** How configurations are chosen. */
export type SearchStrategy = 'grid' | 'random' | 'successive-halving';

/**
 * Every {@link SearchStrategy}.
 *
 * @example
 * ```ts
 * import { SEARCH_STRATEGIES } from 'reelrec';
 * console.log(SEARCH_STRATEGIES.join(', ')); // grid, random, successive-halving
 * ```
 */
export const SEARCH_STRATEGIES: readonly SearchStrategy[] = ['grid', 'random', 'successive-halving'];

/** When the search stops launching trials. */
export interface SearchBudget {
  /** Trials (objective calls) in all, resumed ones included. */
  trials?: number;
  /**
   * Wall-clock seconds in all, the time of earlier sessions of a resumed search included. No trial starts after
   * the deadline, and the running one gets an aborted `signal` when it passes.
   */
  seconds?: number;
}

/** What the objective is told about its trial. */
export interface TrialContext {
  /** Epochs to train: `epochs` for grid and random, the rung's epochs for successive halving. */
  epochs: number;
  /** Aborted when the time budget runs out or the search's own signal aborts: stop and return (or throw). */
  signal: AbortSignal;
  /** 0-based position of the trial in the search's sequence. */
  trialIndex: number;
  /** Successive-halving rung (0-based); 0 for grid and random. */
  rung: number;
}

/** What the objective returns: the metric to optimise and anything worth keeping beside it. */
export interface TrialOutcome {
  /** The value ranked by `direction`; must be finite. */
  metric: number;
  /** Other results to keep in the leaderboard (JSON-serialisable when a state file is used). */
  details?: Record<string, unknown>;
}

/** Evaluates one configuration. A throw marks the trial failed (recorded with its message; the search goes on). */
export type SearchObjective = (
  config: TrialConfig,
  context: TrialContext,
) => Promise<TrialOutcome | number> | TrialOutcome | number;

/** Settings of successive halving (Jamieson & Talwalkar 2016; the rung schedule of Li et al.'s Hyperband). */
export interface HalvingOptions {
  /**
   * Configurations drawn for the first rung, `n`. Default: the largest `n` whose whole schedule fits in
   * `budget.trials`, or 27 without a trial budget.
   */
  configs?: number;
  /** Reduction factor η (an integer ≥ 2): each rung keeps the best ⌊n_i / η⌋ and trains η × longer. Default 3. */
  eta?: number;
  /** Epochs of the first rung. Default 1. */
  minEpochs?: number;
  /** Cap on a rung's epochs; the rungs end with the first that reaches it. Default: no cap. */
  maxEpochs?: number;
}

/**
 * Defaults of {@link HalvingOptions} (`configs` applies only without a trial budget).
 *
 * @example
 * ```ts
 * import { HALVING_DEFAULTS } from 'reelrec';
 * console.log(HALVING_DEFAULTS.eta, HALVING_DEFAULTS.minEpochs, HALVING_DEFAULTS.configs); // 3 1 27
 * ```
 */
export const HALVING_DEFAULTS: Readonly<{
  /** Configurations of the first rung without a trial budget. */
  configs: number;
  /** Reduction factor η. */
  eta: number;
  /** Epochs of the first rung. */
  minEpochs: number;
}> = {
  configs: 27,
  eta: 3,
  minEpochs: 1,
};

/** Where a resumable search keeps its state when no file path is used (e.g. `localStorage` in a browser). */
export interface SearchStateStore {
  /** The last state written, or `null` for none. */
  read(): Promise<string | null>;
  /** Replaces the state (atomically, if the store can). */
  write(text: string): Promise<void>;
}

/** Options of {@link searchHyperparameters}. */
export interface SearchOptions {
  /** The hyperparameters and their domains. */
  space: SearchSpace;
  /** Default `'random'`. */
  strategy?: SearchStrategy;
  /**
   * When to stop launching trials. Grid defaults to the whole grid and a random search of lists to every
   * configuration once; a random search with a range needs `trials` or `seconds`.
   */
  budget?: SearchBudget;
  /** Seed of the random draws: the same seed gives the same trial sequence. Default 42. */
  seed?: number;
  /** Evaluates a configuration. */
  objective: SearchObjective;
  /** Whether a higher or a lower metric is better. */
  direction: 'higher' | 'lower';
  /** Epochs handed to each grid or random trial. Default 1. */
  epochs?: number;
  /** Successive-halving settings. */
  halving?: HalvingOptions;
  /**
   * A JSON file (Node) that makes the search resumable: written atomically after every trial; when it exists at
   * the start and describes the same search (space, strategy, seed, direction, epochs, halving), its finished
   * trials are kept and the search continues after them. A file of another search is refused.
   */
  statePath?: string;
  /** Instead of `statePath`: any store of the state text. */
  stateStore?: SearchStateStore;
  /** Stops the search: the running trial's signal aborts, and the result so far is returned. */
  signal?: AbortSignal;
  /** Called after each trial this call ran (not the resumed ones), once the state is written. */
  onTrial?: (
    trial: TrialRecord,
    progress: {
      /** Trials finished so far, resumed ones included. */
      completed: number;
      /** Trials the search plans in all, when known. */
      planned: number | null;
    },
  ) => void;
}

/** How a trial ended. */
export type TrialStatus = 'ok' | 'failed' | 'aborted';

/** One trial: a configuration evaluated with an epoch budget. */
export interface TrialRecord {
  /** 0-based position in the search's sequence. */
  trial: number;
  /** Position of the configuration in the strategy's sequence (grid index, random draw). */
  configId: number;
  /** The configuration. */
  config: TrialConfig;
  /** The objective's metric; NaN when the trial failed or was aborted without one. */
  metric: number;
  /** Wall-clock seconds of the trial. */
  seconds: number;
  /** Epochs the trial was given. */
  epochs: number;
  /** `'ok'`; `'failed'` (the objective threw, or returned no finite metric); `'aborted'` (time budget or signal). */
  status: TrialStatus;
  /** Successive-halving rung; 0 for grid and random. */
  rung: number;
  /** Why the trial failed or was aborted. */
  error?: string;
  /** The objective's details. */
  details?: Record<string, unknown>;
}

/** Why a search stopped. */
export type SearchStop = 'done' | 'trials' | 'seconds' | 'aborted';

/** What {@link searchHyperparameters} returns. */
export interface SearchResult {
  /**
   * Every trial, best first: `'ok'` trials before the others, then more epochs before fewer (a later
   * successive-halving rung ranks above an earlier one), then the better metric, then the earlier trial.
   */
  leaderboard: TrialRecord[];
  /** The first leaderboard entry with a finite metric, or `null`. */
  best: TrialRecord | null;
  /** Every trial in the order it ran (resumed ones first). */
  trials: TrialRecord[];
  /** Why the search ended. */
  stopped: SearchStop;
  /** Trials taken from the state file instead of running. */
  resumed: number;
  /** Wall-clock seconds of the search, earlier sessions of a resumed one included. */
  seconds: number;
}

/** The state file's format tag. */
const STATE_KIND = 'reelrec-search-state';
const STATE_VERSION = 1;
/** Significant digits kept from a range draw (readable leaderboards; the draw stays seeded). */
const RANGE_DIGITS = 4;
/** Redraws before a random search with ranges concludes that its space is exhausted. */
const MAX_REDRAWS = 100;

/**
 * Searches `space` for the configuration whose objective is best. Trials run one at a time, in a sequence
 * fixed by the strategy and the seed:
 *
 * - **grid**: every combination of the lists, the last key varying fastest (`{a: [1, 2], b: ['x', 'y']}` runs
 *   a1 bx, a1 by, a2 bx, a2 by); ranges are refused.
 * - **random**: a space of lists is sampled without replacement (a seeded permutation of the grid); with a
 *   range, each key is drawn in order (lists uniformly, ranges uniformly or log-uniformly, floats rounded to 4
 *   significant digits), repeats redrawn.
 * - **successive-halving**: `n` random configurations train `minEpochs` epochs; each rung keeps the best
 *   ⌊n_i / η⌋ (ties: earlier draw) and multiplies the epochs by η, until one configuration is left or
 *   `maxEpochs` is reached (n = 27, η = 3: 27 × 1, 9 × 3, 3 × 9, 1 × 27 epochs). Failed trials are not promoted.
 *
 * @throws {ConfigError} on a bad space, budget or option, or a state file of another search.
 *
 * @example
 * ```ts
 * import { searchHyperparameters } from 'reelrec';
 * const result = await searchHyperparameters({
 *   space: { x: { min: 0, max: 6 }, scale: [1, 2] },
 *   strategy: 'successive-halving',
 *   budget: { trials: 13 },
 *   direction: 'higher',
 *   objective: async ({ x, scale }, { epochs }) => ({ metric: -((x as number) - 3) ** 2 * (scale as number) + epochs / 100 }),
 *   statePath: './search.json', // rerun after a crash: finished trials are not repeated
 * });
 * console.log(result.best?.config, result.best?.metric);
 * ```
 */
export async function searchHyperparameters(options: SearchOptions): Promise<SearchResult> {
  const setup = checkOptions(options);
  const { planner, key } = setup;
  const store = options.stateStore ?? (options.statePath ? fileStore(options.statePath) : null);
  const previous = store ? await loadState(store, key, options.statePath ?? 'stateStore') : null;
  const finished = previous?.trials ?? [];
  const earlierSeconds = previous?.seconds ?? 0;
  const sessionStart = now();
  const elapsed = () => earlierSeconds + (now() - sessionStart) / 1000;
  const budgetSeconds = options.budget?.seconds;
  const maxTrials = options.budget?.trials ?? Number.POSITIVE_INFINITY;

  const history: TrialRecord[] = []; // finished trials (ok, failed) in sequence order: what the planner reads
  const ran: TrialRecord[] = []; // every trial of the result, aborted ones included
  let resumed = 0;
  let stopped: SearchStop = 'done';
  const save = async () => {
    if (!store) return;
    await store.write(`${JSON.stringify(stateDocument(key, history, elapsed(), planner), null, 2)}\n`);
  };

  for (let t = 0; ; t++) {
    const planned = planner.next(history);
    if (!planned) break;
    if (t >= maxTrials) {
      stopped = 'trials';
      break;
    }
    const recorded = finished[t];
    if (recorded) {
      if (recorded.configId !== planned.configId || recorded.rung !== planned.rung) {
        throw new ConfigError(
          'statePath',
          `a state whose trial ${t} is configuration ${planned.configId} at rung ${planned.rung} (the file was edited, or written by another version)`,
          `configuration ${recorded.configId} at rung ${recorded.rung}`,
        );
      }
      history.push(recorded);
      ran.push(recorded);
      resumed++;
      continue;
    }
    if (options.signal?.aborted) {
      stopped = 'aborted';
      break;
    }
    const remaining = budgetSeconds === undefined ? Number.POSITIVE_INFINITY : budgetSeconds - elapsed();
    if (remaining <= 0) {
      stopped = 'seconds';
      break;
    }
    const record = await runTrial(options, planned, t, remaining);
    ran.push(record);
    if (record.status !== 'aborted') history.push(record);
    await save();
    options.onTrial?.(record, { completed: history.length, planned: planner.planned(maxTrials) });
    if (record.status === 'aborted') {
      stopped = options.signal?.aborted ? 'aborted' : 'seconds';
      break;
    }
  }
  const leaderboard = rank(ran, options.direction);
  const best = leaderboard.find((r) => Number.isFinite(r.metric)) ?? null;
  return { leaderboard, best, trials: ran, stopped, resumed, seconds: elapsed() };
}

// ---------------------------------------------------------------------------------------------------------
// Trials

interface PlannedTrial {
  configId: number;
  config: TrialConfig;
  rung: number;
  epochs: number;
}

async function runTrial(
  options: SearchOptions,
  planned: PlannedTrial,
  trial: number,
  remainingSeconds: number,
): Promise<TrialRecord> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(new AbortedError('the search was stopped'));
  options.signal?.addEventListener('abort', onAbort);
  const timer = Number.isFinite(remainingSeconds)
    ? setTimeout(
        () => controller.abort(new AbortedError('the time budget ran out')),
        Math.ceil(remainingSeconds * 1000),
      )
    : undefined;
  const start = now();
  const base = {
    trial,
    configId: planned.configId,
    config: { ...planned.config },
    epochs: planned.epochs,
    rung: planned.rung,
  };
  try {
    const out = await options.objective(
      { ...planned.config },
      { epochs: planned.epochs, signal: controller.signal, trialIndex: trial, rung: planned.rung },
    );
    const seconds = (now() - start) / 1000;
    const outcome: TrialOutcome = typeof out === 'number' ? { metric: out } : out;
    const metric = outcome?.metric;
    const details = outcome?.details === undefined ? {} : { details: outcome.details };
    if (controller.signal.aborted) {
      return {
        ...base,
        metric: typeof metric === 'number' ? metric : Number.NaN,
        seconds,
        status: 'aborted',
        error: abortReason(controller.signal),
        ...details,
      };
    }
    if (typeof metric !== 'number' || !Number.isFinite(metric)) {
      return {
        ...base,
        metric: Number.NaN,
        seconds,
        status: 'failed',
        error: `the objective returned ${JSON.stringify(metric) ?? String(metric)} instead of a finite metric`,
        ...details,
      };
    }
    return { ...base, metric, seconds, status: 'ok', ...details };
  } catch (err) {
    const seconds = (now() - start) / 1000;
    const aborted = controller.signal.aborted;
    return {
      ...base,
      metric: Number.NaN,
      seconds,
      status: aborted ? 'aborted' : 'failed',
      error: aborted ? abortReason(controller.signal) : errorText(err),
    };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

function abortReason(signal: AbortSignal): string {
  return signal.reason instanceof Error ? signal.reason.message : 'aborted';
}

function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

function better(direction: 'higher' | 'lower', a: number, b: number): number {
  return direction === 'higher' ? b - a : a - b;
}

const STATUS_ORDER: Record<TrialStatus, number> = { ok: 0, aborted: 1, failed: 2 };

function rank(trials: readonly TrialRecord[], direction: 'higher' | 'lower'): TrialRecord[] {
  return [...trials].sort((a, b) => {
    const byStatus = STATUS_ORDER[a.status] - STATUS_ORDER[b.status];
    if (byStatus !== 0) return byStatus;
    if (a.epochs !== b.epochs) return b.epochs - a.epochs;
    const af = Number.isFinite(a.metric);
    const bf = Number.isFinite(b.metric);
    if (af !== bf) return af ? -1 : 1;
    if (af && a.metric !== b.metric) return better(direction, a.metric, b.metric);
    return a.trial - b.trial;
  });
}

// ---------------------------------------------------------------------------------------------------------
// Planners: the deterministic trial sequence of each strategy

interface Planner {
  /** The next trial after the finished ones (in sequence order), or null when the strategy is done. */
  next(history: readonly TrialRecord[]): PlannedTrial | null;
  /** Trials planned in all under a trial cap, when known. */
  planned(maxTrials: number): number | null;
  /** Successive halving: each rung's epochs and configuration ids so far. */
  rungs?(history: readonly TrialRecord[]): Array<{ epochs: number; configIds: number[] }>;
}

interface Checked {
  planner: Planner;
  /** What identifies the search in a state file. */
  key: Record<string, unknown>;
}

function checkOptions(options: SearchOptions): Checked {
  const strategy = options.strategy ?? 'random';
  if (!SEARCH_STRATEGIES.includes(strategy)) {
    throw new ConfigError('strategy', `one of ${SEARCH_STRATEGIES.join(', ')}`, strategy);
  }
  if (options.direction !== 'higher' && options.direction !== 'lower') {
    throw new ConfigError('direction', "'higher' or 'lower'", options.direction);
  }
  if (typeof options.objective !== 'function') {
    throw new ConfigError('objective', 'a function (config, context) => { metric }', options.objective);
  }
  const seed = options.seed ?? 42;
  if (!Number.isFinite(seed)) throw new ConfigError('seed', 'a finite number', seed);
  const epochs = options.epochs ?? 1;
  positiveInteger('epochs', epochs);
  const { trials, seconds } = options.budget ?? {};
  if (trials !== undefined) positiveInteger('budget.trials', trials);
  if (seconds !== undefined && !(seconds > 0 && Number.isFinite(seconds))) {
    throw new ConfigError('budget.seconds', 'a positive number', seconds);
  }
  if (options.statePath !== undefined && options.stateStore !== undefined) {
    throw new ConfigError('statePath', 'either statePath or stateStore, not both', options.statePath);
  }
  const space = checkSpace(options.space, strategy);
  const sampler = new ConfigSampler(space, seed);
  const base = { strategy, seed, direction: options.direction, space };
  switch (strategy) {
    case 'grid': {
      const size = sampler.gridSize();
      return {
        key: { ...base, epochs },
        planner: {
          next: (history) =>
            history.length < size
              ? { configId: history.length, config: sampler.gridAt(history.length), rung: 0, epochs }
              : null,
          planned: (max) => Math.min(size, max),
        },
      };
    }
    case 'random': {
      const finite = sampler.finite();
      if (trials === undefined && seconds === undefined && !finite) {
        throw new ConfigError(
          'budget',
          'budget.trials or budget.seconds (a random search over a range has no natural end)',
          options.budget,
        );
      }
      return {
        key: { ...base, epochs },
        planner: {
          next: (history) => {
            const config = sampler.randomAt(history.length);
            return config ? { configId: history.length, config, rung: 0, epochs } : null;
          },
          planned: (max) => (finite ? Math.min(sampler.gridSize(), max) : Number.isFinite(max) ? max : null),
        },
      };
    }
    default: {
      const halving = checkHalving(options.halving ?? {}, trials);
      const schedule = halvingSchedule(halving);
      const planner = halvingPlanner(sampler, schedule, options.direction);
      return { key: { ...base, halving }, planner };
    }
  }
}

function positiveInteger(path: string, value: unknown): void {
  if (!(typeof value === 'number' && Number.isInteger(value) && value >= 1)) {
    throw new ConfigError(path, 'an integer ≥ 1', value);
  }
}

function isRange(domain: ParamDomain): domain is ParamRange {
  return !Array.isArray(domain);
}

function checkSpace(space: SearchSpace, strategy: SearchStrategy): SearchSpace {
  if (!space || typeof space !== 'object' || Array.isArray(space) || Object.keys(space).length === 0) {
    throw new ConfigError('space', 'an object with at least one hyperparameter', space);
  }
  const out: Record<string, ParamDomain> = {};
  for (const [key, domain] of Object.entries(space)) {
    const path = `space.${key}`;
    if (Array.isArray(domain)) {
      if (domain.length === 0) throw new ConfigError(path, 'a non-empty list of values', domain);
      for (const v of domain as unknown[]) {
        const ok =
          v === null ||
          typeof v === 'string' ||
          typeof v === 'boolean' ||
          (typeof v === 'number' && Number.isFinite(v));
        if (!ok) throw new ConfigError(path, 'values that are strings, finite numbers, booleans or null', v);
      }
      out[key] = [...domain];
    } else if (domain && typeof domain === 'object') {
      const r = domain as ParamRange;
      if (strategy === 'grid') {
        throw new ConfigError(
          path,
          'a list of values (grid search enumerates lists; ranges are for random and successive-halving)',
          r,
        );
      }
      if (!(Number.isFinite(r.min) && Number.isFinite(r.max) && r.min <= r.max)) {
        throw new ConfigError(path, 'a range { min, max } with finite min ≤ max', r);
      }
      if (r.log && !(r.min > 0)) throw new ConfigError(`${path}.min`, 'a number > 0 for a log range', r.min);
      if (r.integer && !(Number.isInteger(r.min) && Number.isInteger(r.max))) {
        throw new ConfigError(path, 'integer min and max for an integer range', r);
      }
      out[key] = { min: r.min, max: r.max, log: Boolean(r.log), integer: Boolean(r.integer) };
    } else {
      throw new ConfigError(path, 'a list of values or a range { min, max, log?, integer? }', domain);
    }
  }
  return out;
}

/** Draws configurations: the grid by index, and the seeded random sequence (cached, so any index is stable). */
class ConfigSampler {
  private readonly keys: string[];
  private readonly domains: ParamDomain[];
  private readonly rng: Rng;
  private readonly drawn: TrialConfig[] = [];
  private readonly seen = new Set<string>();
  private readonly swaps = new Map<number, number>();
  private exhausted = false;

  constructor(space: SearchSpace, seed: number) {
    this.keys = Object.keys(space);
    this.domains = this.keys.map((k) => space[k]!);
    this.rng = new Rng(`${seed}:search`);
  }

  /** Whether every domain is a list (the space is a finite grid). */
  finite(): boolean {
    return this.domains.every((d) => !isRange(d));
  }

  /** Combinations of the lists (ranges count as one). */
  gridSize(): number {
    return this.domains.reduce((n, d) => n * (isRange(d) ? 1 : d.length), 1);
  }

  /** The grid's combination `id`, the last key varying fastest. */
  gridAt(id: number): TrialConfig {
    const values: ParamValue[] = new Array(this.keys.length);
    let rest = id;
    for (let k = this.keys.length - 1; k >= 0; k--) {
      const list = this.domains[k] as readonly ParamValue[];
      values[k] = list[rest % list.length]!;
      rest = Math.floor(rest / list.length);
    }
    return Object.fromEntries(this.keys.map((k, i) => [k, values[i]!]));
  }

  /** The `index`-th configuration of the seeded random sequence, or null when the space is exhausted. */
  randomAt(index: number): TrialConfig | null {
    while (this.drawn.length <= index && !this.exhausted) {
      const next = this.finite() ? this.permutationNext() : this.drawDistinct();
      if (next) this.drawn.push(next);
      else this.exhausted = true;
    }
    return this.drawn[index] ?? null;
  }

  /** Sampling a finite grid without replacement: a lazy Fisher–Yates shuffle of its indices. */
  private permutationNext(): TrialConfig | null {
    const size = this.gridSize();
    const i = this.drawn.length;
    if (i >= size) return null;
    const j = i + this.rng.int(size - i);
    const atI = this.swaps.get(i) ?? i;
    const atJ = this.swaps.get(j) ?? j;
    this.swaps.set(j, atI);
    this.swaps.delete(i);
    return this.gridAt(atJ);
  }

  private drawDistinct(): TrialConfig | null {
    for (let attempt = 0; attempt < MAX_REDRAWS; attempt++) {
      const config: TrialConfig = {};
      this.keys.forEach((k, i) => {
        config[k] = this.drawValue(this.domains[i]!);
      });
      const id = JSON.stringify(config);
      if (!this.seen.has(id)) {
        this.seen.add(id);
        return config;
      }
    }
    return null;
  }

  private drawValue(domain: ParamDomain): ParamValue {
    if (!isRange(domain)) return domain[this.rng.int(domain.length)]!;
    const { min, max, log, integer } = domain;
    const u = this.rng.next();
    if (integer && !log) return min + Math.min(max - min, Math.floor(u * (max - min + 1)));
    const x = log ? Math.exp(Math.log(min) + u * (Math.log(max) - Math.log(min))) : min + u * (max - min);
    if (integer) return Math.min(max, Math.max(min, Math.round(x)));
    return Math.min(max, Math.max(min, Number(x.toPrecision(RANGE_DIGITS))));
  }
}

interface HalvingSettings {
  configs: number;
  eta: number;
  minEpochs: number;
  maxEpochs: number | null;
}

interface Rung {
  /** Configurations the rung trains. */
  size: number;
  epochs: number;
}

function checkHalving(options: HalvingOptions, trials: number | undefined): HalvingSettings {
  const eta = options.eta ?? HALVING_DEFAULTS.eta;
  if (!(Number.isInteger(eta) && eta >= 2)) throw new ConfigError('halving.eta', 'an integer ≥ 2', eta);
  const minEpochs = options.minEpochs ?? HALVING_DEFAULTS.minEpochs;
  positiveInteger('halving.minEpochs', minEpochs);
  const maxEpochs = options.maxEpochs ?? null;
  if (maxEpochs !== null) {
    positiveInteger('halving.maxEpochs', maxEpochs);
    if (maxEpochs < minEpochs) {
      throw new ConfigError('halving.maxEpochs', `an integer ≥ halving.minEpochs (${minEpochs})`, maxEpochs);
    }
  }
  let configs = options.configs;
  if (configs !== undefined) positiveInteger('halving.configs', configs);
  else if (trials !== undefined) {
    // The largest n whose whole schedule fits in the trial budget.
    configs = 1;
    while (totalTrials(halvingSchedule({ configs: configs + 1, eta, minEpochs, maxEpochs })) <= trials) {
      configs++;
    }
  } else configs = HALVING_DEFAULTS.configs;
  return { configs, eta, minEpochs, maxEpochs };
}

/** Rung i trains ⌊n / ηⁱ⌋ configurations for min(minEpochs · ηⁱ, maxEpochs) epochs. */
function halvingSchedule(s: HalvingSettings): Rung[] {
  const rungs: Rung[] = [{ size: s.configs, epochs: s.minEpochs }];
  for (;;) {
    const last = rungs[rungs.length - 1]!;
    const size = Math.floor(last.size / s.eta);
    if (size < 1 || (s.maxEpochs !== null && last.epochs >= s.maxEpochs)) break;
    const epochs = last.epochs * s.eta;
    rungs.push({ size, epochs: s.maxEpochs === null ? epochs : Math.min(epochs, s.maxEpochs) });
  }
  return rungs;
}

function totalTrials(rungs: readonly Rung[]): number {
  return rungs.reduce((n, r) => n + r.size, 0);
}

function halvingPlanner(
  sampler: ConfigSampler,
  rungs: readonly Rung[],
  direction: 'higher' | 'lower',
): Planner {
  /** Each rung's members in the order they run, as far as the history decides them. */
  const members = (history: readonly TrialRecord[]): number[][] => {
    const first: number[] = [];
    for (let id = 0; id < rungs[0]!.size; id++) {
      if (!sampler.randomAt(id)) break;
      first.push(id);
    }
    const out: number[][] = [first];
    let offset = 0;
    for (let r = 0; r + 1 < rungs.length; r++) {
      const count = out[r]!.length;
      const results = history.slice(offset, offset + count);
      if (results.length < count) break;
      offset += count;
      const promoted = results
        .filter((t) => t.status === 'ok')
        .sort((a, b) =>
          a.metric !== b.metric ? better(direction, a.metric, b.metric) : a.configId - b.configId,
        )
        .slice(0, rungs[r + 1]!.size)
        .map((t) => t.configId);
      if (promoted.length === 0) break;
      out.push(promoted);
    }
    return out;
  };
  return {
    next: (history) => {
      const all = members(history);
      let offset = 0;
      for (let r = 0; r < all.length; r++) {
        const ids = all[r]!;
        const done = history.length - offset;
        if (done < ids.length) {
          const configId = ids[done]!;
          return { configId, config: sampler.randomAt(configId)!, rung: r, epochs: rungs[r]!.epochs };
        }
        offset += ids.length;
      }
      return null;
    },
    planned: (max) => Math.min(totalTrials(rungs), max),
    rungs: (history) => members(history).map((ids, r) => ({ epochs: rungs[r]!.epochs, configIds: ids })),
  };
}

// ---------------------------------------------------------------------------------------------------------
// State file

interface StateDocument {
  kind: string;
  version: number;
  search: Record<string, unknown>;
  seconds: number;
  trials: TrialRecord[];
  rungs?: Array<{ epochs: number; configIds: number[] }>;
}

function stateDocument(
  key: Record<string, unknown>,
  history: readonly TrialRecord[],
  seconds: number,
  planner: Planner,
): StateDocument {
  return {
    kind: STATE_KIND,
    version: STATE_VERSION,
    search: key,
    seconds,
    // NaN metrics are written as null.
    trials: [...history],
    ...(planner.rungs ? { rungs: planner.rungs(history) } : {}),
  };
}

function fileStore(path: string): SearchStateStore {
  return { read: () => readTextFile(path), write: (text) => writeTextFileAtomic(path, text) };
}

async function loadState(
  store: SearchStateStore,
  key: Record<string, unknown>,
  where: string,
): Promise<{ trials: TrialRecord[]; seconds: number } | null> {
  const text = await store.read();
  if (text === null || text.trim() === '') return null;
  let doc: StateDocument;
  try {
    doc = JSON.parse(text) as StateDocument;
  } catch (err) {
    throw new ConfigError(
      'statePath',
      `a search state file written by reelrec (${where} is not JSON)`,
      errorText(err),
    );
  }
  if (!doc || doc.kind !== STATE_KIND || doc.version !== STATE_VERSION || !Array.isArray(doc.trials)) {
    throw new ConfigError('statePath', `a reelrec search state file of version ${STATE_VERSION}`, where);
  }
  if (JSON.stringify(doc.search) !== JSON.stringify(key)) {
    throw new ConfigError(
      'statePath',
      `the state of this search (same space, strategy, seed, direction, epochs and halving): ${where} holds another search; delete it or choose another path`,
      where,
    );
  }
  const trials = doc.trials.map((t) => ({
    ...t,
    metric: typeof t.metric === 'number' ? t.metric : Number.NaN,
  }));
  return { trials, seconds: Number.isFinite(doc.seconds) ? doc.seconds : 0 };
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
